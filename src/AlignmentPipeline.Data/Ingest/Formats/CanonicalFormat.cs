using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary><see cref="IngestFormat.Canonical"/>: <c>prompt</c>, <c>chosen</c>, <c>rejected</c> strings.</summary>
internal sealed class CanonicalFormat(FieldNames fields) : IRowFormat
{
    public IngestFormat Format => IngestFormat.Canonical;

    public RowOutcome Parse(JsonObject row, string source, string raw)
    {
        var texts = new string[3];
        string[] names = [Field("prompt"), Field("chosen"), Field("rejected")];
        for (int i = 0; i < names.Length; i++)
        {
            if (!PairChecks.TryString(row, names[i], out texts[i], out var problem))
            {
                return RowOutcome.Reject(source, problem.Reason, problem.Detail, raw);
            }
        }

        string id = PairChecks.Id(row, Field("id"), texts[0], texts[1], texts[2]);
        return PairChecks.Accept(new PreferencePair(id, texts[0], texts[1], texts[2], source), names[1], names[2], raw);
    }

    private string Field(string logical) => fields[Format, logical];
}
