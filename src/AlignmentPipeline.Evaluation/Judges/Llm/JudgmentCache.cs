using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>
/// Append-only JSONL cache of per-order verdicts, one object per line:
/// <c>{"key": sha256-hex, "verdict": "A"|"B"|"tie"|null, "invalid_reason": string|null, "reply": string}</c>.
/// Only answers the judge actually gave are stored, never transport failures, so a rerun retries those.
/// </summary>
internal sealed class JudgmentCache
{
    private readonly string path;
    private readonly Dictionary<string, CachedOrderVerdict> entries;
    private readonly SemaphoreSlim writeLock = new(1, 1);

    private JudgmentCache(string path, Dictionary<string, CachedOrderVerdict> entries)
    {
        this.path = path;
        this.entries = entries;
    }

    /// <summary>Number of cached answers.</summary>
    public int Count
    {
        get
        {
            lock (entries)
                return entries.Count;
        }
    }

    /// <summary>Opens (or starts) the cache file. A line cut short by a crash mid-write is skipped.</summary>
    public static JudgmentCache Open(string path)
    {
        var entries = new Dictionary<string, CachedOrderVerdict>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (TryParse(line) is { } parsed)
                    entries[parsed.Key] = parsed.Entry;
            }
        }
        else if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }
        return new JudgmentCache(path, entries);
    }

    /// <summary>
    /// SHA-256 over the judge model, base URL, template, the prompt, candidate and baseline texts and the order label,
    /// each length-prefixed so that no two different inputs share an encoding.
    /// </summary>
    public static string Key(string model, string baseUrl, string template, string prompt, string candidate, string baseline, string order)
    {
        var builder = new StringBuilder();
        foreach (var part in new[] { model, baseUrl, template, prompt, candidate, baseline, order })
            builder.Append(part.Length).Append(':').Append(part).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    public bool TryGet(string key, out CachedOrderVerdict entry)
    {
        lock (entries)
            return entries.TryGetValue(key, out entry!);
    }

    public async Task AddAsync(string key, CachedOrderVerdict entry, CancellationToken cancellationToken = default)
    {
        var line = new JsonObject
        {
            ["key"] = key,
            ["verdict"] = entry.Verdict switch { OrderVerdict.A => "A", OrderVerdict.B => "B", OrderVerdict.Tie => "tie", _ => null },
            ["invalid_reason"] = entry.InvalidReason,
            ["reply"] = entry.Reply,
        }.ToJsonString() + "\n";
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await File.AppendAllTextAsync(path, line, cancellationToken).ConfigureAwait(false);
            lock (entries)
                entries[key] = entry;
        }
        finally
        {
            writeLock.Release();
        }
    }

    private static (string Key, CachedOrderVerdict Entry)? TryParse(string line)
    {
        try
        {
            var node = JsonNode.Parse(line);
            if (node?["key"]?.GetValue<string>() is not { } key || node["reply"]?.GetValue<string>() is not { } reply)
                return null;
            OrderVerdict? verdict = node["verdict"]?.GetValue<string>() switch
            {
                "A" => OrderVerdict.A,
                "B" => OrderVerdict.B,
                "tie" => OrderVerdict.Tie,
                _ => null,
            };
            return (key, new CachedOrderVerdict(verdict, node["invalid_reason"]?.GetValue<string>(), reply));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
