using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>Reads the prompts of <c>kind: generate</c> from an upstream pair stage or a local file, in input order.</summary>
internal static class PromptSource
{
    /// <summary>The prompts <paramref name="value"/> names (a stage or a path), at most <paramref name="limit"/>.</summary>
    public static async IAsyncEnumerable<PromptItem> ReadAsync(
        StageContext context, string value, PromptSplit split, int? limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var items = context.IsStage(value)
            ? FromStageAsync(context, context.Upstream(value), split, cancellationToken)
            : FromFileAsync(Path.GetFullPath(value), cancellationToken);
        var count = 0;
        await foreach (var item in items)
        {
            if (count++ == limit)
            {
                yield break;
            }

            yield return item;
        }
    }

    /// <summary>The data parts of a stage output that <paramref name="split"/> selects (see <see cref="PromptSplit"/>).</summary>
    public static IReadOnlyList<string> SelectParts(StageOutput output, PromptSplit split)
    {
        var parts = output.Files
            .Where(f => f.EndsWith(".parquet", StringComparison.Ordinal) && !f.StartsWith("quarantine/", StringComparison.Ordinal))
            .ToList();
        var folders = parts.Where(f => f.Contains('/')).Select(f => f[..f.IndexOf('/')]).Distinct().Order(StringComparer.Ordinal).ToList();
        if (split == PromptSplit.All || folders.Count == 0)
        {
            return parts.Select(output.Path).ToList();
        }

        var folder = split == PromptSplit.Eval ? "eval" : "train";
        var selected = parts.Where(f => f.StartsWith(folder + "/", StringComparison.Ordinal)).Select(output.Path).ToList();
        return selected.Count > 0
            ? selected
            : throw new UserErrorException(
                $"stage '{output.StageName}' has no {folder}/ parts (it has {string.Join(", ", folders.Select(f => f + "/"))}); set 'split' to one that exists or 'all'");
    }

    private static async IAsyncEnumerable<PromptItem> FromStageAsync(
        StageContext context, StageOutput output, PromptSplit split, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in ParquetTableReader.ReadAllAsync(context.Storage, SelectParts(output, split), cancellationToken))
        {
            var pair = PreferenceTable.FromRow(row);
            yield return new PromptItem(pair.Id, pair.Prompt, pair.Format, pair.Chosen);
        }
    }

    private static async IAsyncEnumerable<PromptItem> FromFileAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var jsonl = path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
        var lineNumber = 0;
        using var reader = new StreamReader(path);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return jsonl ? FromJsonLine(path, lineNumber, line) : new PromptItem(ContentId.Of(line), line, PreferencePair.TextFormat, null);
        }
    }

    private static PromptItem FromJsonLine(string path, int lineNumber, string line)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{path}:{lineNumber}: not valid JSON ({e.Message})");
        }

        var (prompt, format) = node?["prompt"] switch
        {
            JsonValue text when text.TryGetValue<string>(out var s) => (s, PreferencePair.TextFormat),
            JsonArray messages => (messages.ToJsonString(), PreferencePair.MessagesFormat),
            _ => throw new UserErrorException($"{path}:{lineNumber}: each line needs a 'prompt' that is a string or a list of messages"),
        };
        var id = node["id"] is JsonValue idValue ? idValue.ToString() : ContentId.Of(prompt);
        return new PromptItem(id, prompt, format, null);
    }
}
