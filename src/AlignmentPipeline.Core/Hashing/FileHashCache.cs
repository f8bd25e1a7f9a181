using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Hashing;

/// <summary>
/// SHA-256 of local files, computed once and reused while the file's identity (path, size, mtime, inode, ctime) is
/// unchanged. Persisted as JSON so later runs do not rehash multi-gigabyte weights.
/// </summary>
public sealed class FileHashCache
{
    private readonly string? cacheFile;
    private readonly Dictionary<string, (FileIdentity Identity, string Sha256)> entries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private bool dirty;

    public FileHashCache(string? cacheFile)
    {
        this.cacheFile = cacheFile;
        if (cacheFile is not null && File.Exists(cacheFile))
        {
            Load(cacheFile);
        }
    }

    /// <summary>How many files were actually read and hashed by this instance (for tests and logs).</summary>
    public int FilesHashed { get; private set; }

    public async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
    {
        string full = Path.GetFullPath(path);
        var identity = FileIdentity.Of(full);
        lock (gate)
        {
            if (entries.TryGetValue(full, out var known) && known.Identity == identity)
            {
                return known.Sha256;
            }
        }

        await using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        string sha = await Hex.Sha256Async(stream, cancellationToken);
        lock (gate)
        {
            entries[full] = (identity, sha);
            FilesHashed++;
            dirty = true;
        }

        return sha;
    }

    public void Save()
    {
        if (cacheFile is null || !dirty)
        {
            return;
        }

        JsonObject json;
        lock (gate)
        {
            json = new JsonObject(entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonObject
            {
                ["length"] = e.Value.Identity.Length,
                ["mtime"] = e.Value.Identity.MtimeTicks,
                ["inode"] = e.Value.Identity.Inode,
                ["ctime"] = e.Value.Identity.CtimeNanos,
                ["sha256"] = e.Value.Sha256,
            })));
            dirty = false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
        string temp = $"{cacheFile}.tmp-{Guid.NewGuid():N}";
        File.WriteAllText(temp, json.ToJsonString());
        File.Move(temp, cacheFile, overwrite: true);
    }

    private void Load(string file)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var (path, value) in json)
            {
                var identity = new FileIdentity(
                    value!["length"]!.GetValue<long>(), value["mtime"]!.GetValue<long>(), value["inode"]!.GetValue<ulong>(), value["ctime"]!.GetValue<long>());
                entries[path] = (identity, value["sha256"]!.GetValue<string>());
            }
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            entries.Clear(); // A damaged cache only costs rehashing.
        }
    }
}
