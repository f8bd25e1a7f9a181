using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>
/// <see cref="IngestFormat.PairwiseJudged"/>: the label a strict majority of annotators gave decides the pair
/// (1: response1 is chosen, 2: response2 is chosen). The vote comes first; only a decided row has its responses
/// checked, so a tie is reported as <c>tie</c> even when a response is also empty.
/// </summary>
internal sealed class PairwiseJudgedFormat(FieldNames fields) : IRowFormat
{
    public IngestFormat Format => IngestFormat.PairwiseJudged;

    public RowOutcome Parse(JsonObject row, string source, string raw)
    {
        string prefix = Field("annotator");
        var labelFields = row
            .Select(p => p.Key)
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length && k[prefix.Length..].All(char.IsAsciiDigit))
            .OrderBy(k => int.Parse(k[prefix.Length..], CultureInfo.InvariantCulture))
            .ToList();
        if (labelFields.Count == 0)
        {
            return RowOutcome.Reject(source, "missing_field", $"no label fields '{prefix}1', '{prefix}2', …", raw);
        }

        var votes = new List<int>(labelFields.Count);
        foreach (string field in labelFields)
        {
            if (!TryLabel(row[field], out int label))
            {
                return RowOutcome.Reject(source, "invalid_label", $"'{field}' is {Describe(row[field])}; labels are 0 (tie), 1 or 2", raw);
            }

            votes.Add(label);
        }

        var winner = votes.GroupBy(v => v).Where(g => g.Count() * 2 > votes.Count).Select(g => (int?)g.Key).SingleOrDefault();
        string tally = string.Join(", ", labelFields.Zip(votes, (f, v) => $"{f}={v}"));
        if (winner is null)
        {
            return RowOutcome.Reject(source, "no_majority", $"no label has a majority ({tally})", raw);
        }

        if (winner == 0)
        {
            return RowOutcome.Reject(source, "tie", $"the majority judged a tie ({tally})", raw);
        }

        string instructionField = Field("instruction"), inputField = Field("input");
        string response1Field = Field("response1"), response2Field = Field("response2");
        if (!PairChecks.TryString(row, instructionField, out string instruction, out var problem)
            || !PairChecks.TryString(row, response1Field, out string response1, out problem)
            || !PairChecks.TryString(row, response2Field, out string response2, out problem))
        {
            return RowOutcome.Reject(source, problem.Reason, problem.Detail, raw);
        }

        string input = "";
        if (row.ContainsKey(inputField) && row[inputField] is not null && !PairChecks.TryString(row, inputField, out input, out problem))
        {
            return RowOutcome.Reject(source, problem.Reason, problem.Detail, raw);
        }

        string prompt = string.IsNullOrWhiteSpace(input) ? instruction : $"{instruction}\n\n{input}";
        var (chosen, rejected) = winner == 1 ? (response1, response2) : (response2, response1);
        var (chosenField, rejectedField) = winner == 1 ? (response1Field, response2Field) : (response2Field, response1Field);
        var metadata = new JsonObject { ["votes"] = new JsonArray(votes.Select(v => (JsonNode)v).ToArray()), ["winner"] = winner };
        string id = PairChecks.Id(row, Field("id"), prompt, chosen, rejected);
        return PairChecks.Accept(new PreferencePair(id, prompt, chosen, rejected, source, metadata.ToJsonString()), chosenField, rejectedField, raw);
    }

    private static bool TryLabel(JsonNode? node, out int label)
    {
        label = -1;
        if (node is not JsonValue value)
        {
            return false;
        }

        bool parsed = value.GetValueKind() switch
        {
            JsonValueKind.Number => int.TryParse(value.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out label),
            JsonValueKind.String => int.TryParse(value.GetValue<string>().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out label),
            _ => false,
        };
        return parsed && label is 0 or 1 or 2;
    }

    private static string Describe(JsonNode? node) => node is JsonValue ? node.ToJsonString() : PairChecks.Kind(node);

    private string Field(string logical) => fields[Format, logical];
}
