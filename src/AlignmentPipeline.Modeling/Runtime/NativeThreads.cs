using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Runtime;

/// <summary>
/// Fixed thread counts for libtorch's CPU kernels, so that a run repeats bitwise whatever else loads the machine (the
/// thread count does change results: 24 of 28 GPT-2 tensors differed after 3 steps with 1 vs 2 threads).
/// libtorch_cpu on Linux x64 links Intel MKL and GNU OpenMP. MKL starts with <c>MKL_DYNAMIC</c> on (measured: until
/// something calls <c>torch.set_num_threads</c>), which lets it run a call on fewer threads than configured; libgomp's
/// <c>OMP_DYNAMIC</c> (off unless the environment sets it) sizes parallel regions by the load average. Both read their
/// environment natively, libgomp once when it is loaded, and .NET's
/// <see cref="System.Environment.SetEnvironmentVariable(string, string)"/> does not reach native <c>getenv</c> on Linux:
/// so this module sets <c>MKL_DYNAMIC=FALSE</c> and <c>OMP_DYNAMIC=FALSE</c> (overriding the user's) with libc's
/// <c>setenv</c> when it is initialised, which is before libtorch loads unless other code touches TorchSharp before any
/// type of this assembly. <see cref="Configure"/> turns MKL's adjustment off in any case and fixes the thread count on
/// every OS thread, not only the caller's. Elsewhere than Linux, and where libtorch has no MKL, only libtorch's own
/// count is set.
/// </summary>
internal static class NativeThreads
{
    private const string TorchCpu = "libtorch_cpu";
    private static readonly string[] DynamicVariables = ["MKL_DYNAMIC", "OMP_DYNAMIC"];
    private static readonly Lazy<bool> HasMkl = new(FindMkl);
    private static int configured; // threads set by Configure; 0 = libtorch's choice

    /// <summary>The variables set natively when this assembly was initialised, with the value <c>getenv</c> now returns.</summary>
    public static IReadOnlyDictionary<string, string?> NativeEnvironment =>
        DynamicVariables.ToDictionary(name => name, name => Marshal.PtrToStringUTF8(getenv(name)));

    /// <summary>Whether MKL may currently run a call on fewer threads than its maximum (MKL's <c>mkl_get_dynamic</c>).</summary>
    public static bool MklDynamic
    {
        get
        {
            LoadTorch();
            return mkl_serv_get_dynamic() != 0;
        }
    }

    /// <summary>Whether OpenMP may size this thread's parallel regions by load (<c>omp_get_dynamic</c>).</summary>
    public static bool OpenMpDynamic
    {
        get
        {
            LoadTorch();
            return omp_get_dynamic() != 0;
        }
    }

    /// <summary>The threads MKL uses for a call made on the calling OS thread (<c>mkl_get_max_threads</c>).</summary>
    public static int MklMaxThreads
    {
        get
        {
            LoadTorch();
            return mkl_get_max_threads();
        }
    }

    /// <summary>
    /// Turns MKL's dynamic adjustment off (process-wide, in case libtorch was loaded before this module set the
    /// environment) and fixes the intra-op thread count that <see cref="ApplyToCurrentThread"/> gives every OS thread:
    /// <paramref name="threads"/>, or when null the count already fixed or else the calling thread's current one. A set
    /// count is applied at once as well:
    /// libtorch's count (<c>torch.set_num_threads</c>: OpenMP's and MKL's for the calling thread, and for another thread
    /// once it enters a libtorch parallel loop) and MKL's process-wide default, which an MKL call on another OS thread (a
    /// .NET thread-pool thread after an <c>await</c>) otherwise uses instead: measured, after <c>set_num_threads(1)</c> a
    /// fresh thread's <c>mkl_get_max_threads</c> was still 2.
    /// </summary>
    public static void Configure(int? threads)
    {
        if (threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        }

        if (threads is { } count)
        {
            Volatile.Write(ref configured, count);
            set_num_threads(count);
        }
        else
        {
            Interlocked.CompareExchange(ref configured, get_num_threads(), 0); // libtorch's choice, held from now on
        }

        if (HasMkl.Value)
        {
            MKL_Set_Dynamic(0);
            if (threads is { } mklCount)
            {
                mkl_serv_set_num_threads(mklCount);
            }
        }
    }

    /// <summary>
    /// Gives the calling OS thread the count <see cref="Configure"/> set, if it runs another: libtorch keeps its thread
    /// count per OS thread (OpenMP's and MKL's per-thread settings), and a thread that already ran libtorch code keeps
    /// the count it started with when <c>set_num_threads</c> is later called on another thread. Steps of an async loop
    /// land on whichever thread-pool thread resumes them, so without this a run mixes counts, which thread depending on
    /// load: measured, a "1-thread" run executed on a pool thread still at 2, and a 2-thread run under load differed
    /// from a quiet one in 23 of 28 tensors. The models call this at the start of every forward.
    /// </summary>
    public static void ApplyToCurrentThread()
    {
        var threads = Volatile.Read(ref configured);
        if (threads > 0 && get_num_threads() != threads)
        {
            set_num_threads(threads);
        }
    }

    /// <summary>Sets the dynamic-threading variables natively before libtorch (and with it libgomp) is first loaded.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "libgomp reads its environment once, when libtorch loads it: the earliest hook a library has")]
    internal static void DisableDynamicThreads()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var name in DynamicVariables)
        {
            if (setenv(name, "FALSE", 1) != 0)
            {
                throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    /// <summary>Whether the loaded libtorch_cpu exports MKL's thread controls (Linux x64 builds do).</summary>
    private static bool FindMkl()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            LoadTorch();
            return mkl_serv_get_dynamic() is 0 or 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Makes TorchSharp load libtorch_cpu (the P/Invokes below bind to the loaded library by its soname) without
    /// touching thread settings: <c>get_num_threads</c> would initialise the calling thread's counts.
    /// </summary>
    private static void LoadTorch() => InitializeDeviceType(DeviceType.CPU);

    [DllImport("libc", ExactSpelling = true, SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", ExactSpelling = true)]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport(TorchCpu, ExactSpelling = true)]
    private static extern int mkl_serv_get_dynamic();

    [DllImport(TorchCpu, ExactSpelling = true)]
    private static extern int mkl_get_max_threads();

    /// <summary>MKL's C-style setter, process-wide; the lower-case <c>mkl_set_dynamic</c> export is the Fortran one (takes a pointer).</summary>
    [DllImport(TorchCpu, ExactSpelling = true)]
    private static extern void MKL_Set_Dynamic(int enabled);

    /// <summary>
    /// MKL's process-wide default count, what <c>mkl_set_num_threads</c> sets; libtorch_cpu exports only this service
    /// function and the thread-local setter (checked on libtorch 2.10.0: it stores its int argument in <c>__mkl_num_threads</c>).
    /// </summary>
    [DllImport(TorchCpu, ExactSpelling = true)]
    private static extern void mkl_serv_set_num_threads(int threads);

    /// <summary>libgomp's, found through libtorch_cpu's dependencies (its file name carries a build hash).</summary>
    [DllImport(TorchCpu, ExactSpelling = true)]
    private static extern int omp_get_dynamic();
}
