using System.Text.Json;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Data.Synthetic;

/// <summary>
/// <c>kind: synthetic</c>: a demo and testing aid. Writes <c>corpus.jsonl</c>, a deterministic corpus of canonical
/// preference pairs (stories with kind vs unkind endings, kind preferred) with planted exact duplicates, near
/// duplicates and malformed rows, so every preprocessing stage after it has visible work to do.
/// </summary>
public sealed class SyntheticStage(SyntheticOptions options) : IStage
{
    public const string FileName = "corpus.jsonl";

    public static StageKind Kind { get; } = StageKind.Define<SyntheticOptions>(
        "synthetic", 1, "Generates a deterministic demo corpus (kind vs unkind story endings) with planted duplicates and bad rows.",
        InputArity.None, o => new SyntheticStage(o));

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var random = new Random(options.Seed);
        var rows = new List<string>(options.Pairs + (options.Pairs / 10));
        var clean = new List<(string Prompt, string Chosen, string Rejected)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (clean.Count < options.Pairs)
        {
            var pair = StoryGrammar.Pair(random);
            if (seen.Add(pair.Chosen + "\u0000" + pair.Rejected) || seen.Count > 20 * options.Pairs)
            {
                clean.Add(pair);
            }
        }

        var planted = new Dictionary<string, long> { ["exact_duplicates"] = 0, ["near_duplicates"] = 0, ["malformed"] = 0 };
        foreach (var pair in clean)
        {
            rows.Add(Json(pair.Prompt, pair.Chosen, pair.Rejected));
            if (random.NextDouble() < options.Duplicates)
            {
                rows.Add(Json(pair.Prompt, pair.Chosen, pair.Rejected));
                planted["exact_duplicates"]++;
            }

            if (random.NextDouble() < options.NearDuplicates)
            {
                rows.Add(Json(pair.Prompt, StoryGrammar.Perturb(pair.Chosen, random), pair.Rejected));
                planted["near_duplicates"]++;
            }

            if (random.NextDouble() < options.Malformed)
            {
                rows.Add(Malformed(pair, random));
                planted["malformed"]++;
            }
        }

        await context.Stage.Storage.WriteTextAsync(context.Stage.OutputPath(FileName), string.Join('\n', rows) + "\n", cancellationToken);
        var extra = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in planted)
        {
            extra[key] = value;
        }

        return new TaskResult(new StageCounters(0, rows.Count, new Dictionary<string, long>()), extra);
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default) =>
        Task.FromResult(new StageSummary(StageCounters.Sum(tasks.Select(t => t.Counters)), new() { ["planted"] = tasks[0].Extra?.DeepClone() }));

    private static string Json(string prompt, string chosen, string rejected) =>
        JsonSerializer.Serialize(new { prompt, chosen, rejected });

    private static string Malformed((string Prompt, string Chosen, string Rejected) pair, Random random) => random.Next(4) switch
    {
        0 => Json(pair.Prompt, pair.Chosen, pair.Rejected)[..20],
        1 => JsonSerializer.Serialize(new { prompt = pair.Prompt, chosen = pair.Chosen }),
        2 => Json(pair.Prompt, "", pair.Rejected),
        _ => Json(pair.Prompt, pair.Chosen, pair.Chosen),
    };
}
