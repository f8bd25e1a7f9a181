using System.Runtime.InteropServices;

namespace AlignmentPipeline.Core.Hashing;

/// <summary>
/// What identifies a file's content without reading it: size, modification time, and on Linux the inode and status
/// change time (ctime changes on every write, even when mtime is set back).
/// </summary>
internal sealed record FileIdentity(long Length, long MtimeTicks, ulong Inode, long CtimeNanos)
{
    public static FileIdentity Of(string path)
    {
        var info = new FileInfo(path);
        var (inode, ctime) = LinuxStat(path);
        return new FileIdentity(info.Length, info.LastWriteTimeUtc.Ticks, inode, ctime);
    }

    private static (ulong Inode, long CtimeNanos) LinuxStat(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return (0, 0);
        }

        // struct stat on x86_64 and the generic (arm64) Linux ABI: st_ino at byte 8, st_ctim at byte 104.
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            if (Stat(path, ref MemoryMarshal.GetReference(buffer)) != 0)
            {
                return (0, 0);
            }
        }
        catch (EntryPointNotFoundException)
        {
            return (0, 0);
        }

        ulong inode = BitConverter.ToUInt64(buffer[8..]);
        long seconds = BitConverter.ToInt64(buffer[104..]);
        long nanos = BitConverter.ToInt64(buffer[112..]);
        return (inode, (seconds * 1_000_000_000) + nanos);
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte buffer);
}
