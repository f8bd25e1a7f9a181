using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>
/// <see cref="IngestFormat.Scored"/>: a prompt with scored completions becomes pairs by <see cref="ScoredPairing"/>.
/// The random draw of <see cref="ScoredPairing.BestVsRandom"/> is seeded by the seed and the prompt text, so it does
/// not depend on row order or sharding. The completions may be a list or, from CSV/TSV, the list as JSON text. A row
/// whose completions are malformed is quarantined whole
/// (<c>invalid_completion</c>); a row that yields no pair is quarantined as <c>no_pair</c>.
/// </summary>
internal sealed class ScoredFormat(FieldNames fields, ScoredPairing pairing, double margin, long seed) : IRowFormat
{
    public IngestFormat Format => IngestFormat.Scored;

    public RowOutcome Parse(JsonObject row, string source, string raw)
    {
        string promptField = Field("prompt"), completionsField = Field("completions");
        if (!PairChecks.TryString(row, promptField, out string prompt, out var problem))
        {
            return RowOutcome.Reject(source, problem.Reason, problem.Detail, raw);
        }

        if (!row.TryGetPropertyValue(completionsField, out var node) || !PairChecks.TryListFromText(node, out node) || node is not JsonArray list)
        {
            return RowOutcome.Reject(source, node is null && !row.ContainsKey(completionsField) ? "missing_field" : "invalid_completion",
                $"'{completionsField}' is {(row.ContainsKey(completionsField) ? PairChecks.Kind(node) : "missing")}, not a list of completions", raw);
        }

        var completions = new List<(string Text, double Score)>(list.Count);
        string responseField = Field("response"), scoreField = Field("score");
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject completion
                || !PairChecks.TryString(completion, responseField, out string text, out _)
                || !TryScore(completion[scoreField], out double score))
            {
                return RowOutcome.Reject(source, "invalid_completion",
                    $"'{completionsField}[{i}]' needs a string '{responseField}' and a numeric '{scoreField}'", raw);
            }

            completions.Add((text, score));
        }

        var pairs = new List<PreferencePair>();
        foreach (var (c, r) in Candidates(completions, prompt))
        {
            var (chosen, rejected) = (completions[c], completions[r]);
            if (string.IsNullOrWhiteSpace(chosen.Text) || string.IsNullOrWhiteSpace(rejected.Text)
                || ContentId.Normalize(chosen.Text) == ContentId.Normalize(rejected.Text))
            {
                continue;
            }

            var metadata = new JsonObject { ["chosen_index"] = c, ["rejected_index"] = r, ["chosen_score"] = chosen.Score, ["rejected_score"] = rejected.Score };
            string id = row.ContainsKey(Field("id"))
                ? $"{PairChecks.Id(row, Field("id"), prompt, chosen.Text, rejected.Text)}/{c}-{r}"
                : ContentId.Of(prompt, chosen.Text, rejected.Text);
            pairs.Add(new PreferencePair(id, prompt, chosen.Text, rejected.Text, source, metadata.ToJsonString()));
        }

        return pairs.Count > 0
            ? new RowOutcome(pairs, null)
            : RowOutcome.Reject(source, "no_pair",
                $"no two of the {completions.Count} completions differ in score by more than {margin.ToString(CultureInfo.InvariantCulture)} with distinct non-empty texts", raw);
    }

    private IEnumerable<(int Chosen, int Rejected)> Candidates(List<(string Text, double Score)> completions, string prompt)
    {
        if (completions.Count < 2)
        {
            yield break;
        }

        int best = 0, worst = 0;
        for (int i = 1; i < completions.Count; i++)
        {
            best = completions[i].Score > completions[best].Score ? i : best;
            worst = completions[i].Score < completions[worst].Score ? i : worst;
        }

        switch (pairing)
        {
            case ScoredPairing.BestVsWorst:
                if (completions[best].Score - completions[worst].Score > margin)
                {
                    yield return (best, worst);
                }

                break;
            case ScoredPairing.BestVsRandom:
                var below = Enumerable.Range(0, completions.Count).Where(j => completions[best].Score - completions[j].Score > margin).ToList();
                if (below.Count > 0)
                {
                    yield return (best, below[(int)(PromptHash(prompt) % (ulong)below.Count)]);
                }

                break;
            default:
                for (int i = 0; i < completions.Count; i++)
                {
                    for (int j = 0; j < completions.Count; j++)
                    {
                        if (completions[i].Score - completions[j].Score > margin)
                        {
                            yield return (i, j);
                        }
                    }
                }

                break;
        }
    }

    private ulong PromptHash(string prompt) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(prompt), seed);

    private static bool TryScore(JsonNode? node, out double score)
    {
        score = double.NaN;
        if (node is not JsonValue value)
        {
            return false;
        }

        bool parsed = value.GetValueKind() switch
        {
            JsonValueKind.Number => double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out score),
            JsonValueKind.String => double.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out score),
            _ => false,
        };
        return parsed && double.IsFinite(score);
    }

    private string Field(string logical) => fields[Format, logical];
}
