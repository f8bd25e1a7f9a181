using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Cards;

/// <summary>
/// Length histograms of the prompt, chosen and rejected text of the pairs a task writes (for message pairs, the
/// message contents joined by newlines, as the filters measure them). A task adds each pair it keeps and returns
/// <see cref="ToJson"/> in its result; the stage merges the tasks' histograms for its data card.
/// </summary>
internal sealed class PairLengths
{
    /// <summary>The key under which a task result carries its lengths ('/' keeps it apart from split names and stats keys).</summary>
    public const string ResultKey = "card/lengths";

    public LengthHistogram Prompt { get; } = new();

    public LengthHistogram Chosen { get; } = new();

    public LengthHistogram Rejected { get; } = new();

    public IEnumerable<(string Field, LengthHistogram Histogram)> Fields => [("prompt", Prompt), ("chosen", Chosen), ("rejected", Rejected)];

    public void Add(PreferencePair pair)
    {
        Prompt.Add(PairText.Of(pair, pair.Prompt).Length);
        Chosen.Add(PairText.Of(pair, pair.Chosen).Length);
        Rejected.Add(PairText.Of(pair, pair.Rejected).Length);
    }

    public JsonObject ToJson() => new(Fields.Select(f => KeyValuePair.Create(f.Field, (JsonNode?)f.Histogram.ToJson())));

    /// <summary>The merged lengths of task results that carry them under <see cref="ResultKey"/>.</summary>
    public static PairLengths Merge(IEnumerable<JsonObject?> taskExtras)
    {
        var merged = new PairLengths();
        foreach (var extra in taskExtras)
        {
            if (extra?[ResultKey] is not JsonObject lengths)
            {
                continue;
            }

            foreach (var (field, histogram) in merged.Fields)
            {
                histogram.Merge(LengthHistogram.FromJson(lengths[field]!));
            }
        }

        return merged;
    }
}
