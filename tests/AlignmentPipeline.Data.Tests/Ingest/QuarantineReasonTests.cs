using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Tests.Ingest;

/// <summary>Every row ingest cannot use lands in quarantine with its reason and file:line, and stats.json counts it.</summary>
public sealed class QuarantineReasonTests
{
    [Fact]
    public async Task Rejected_canonical_rows_are_quarantined_with_reason_and_line_and_counted()
    {
        using var harness = new PipelineHarness();
        string text = string.Join('\n',
            """{"prompt":"p","chosen":"good","rejected":"bad"}""",
            """{"prompt":"p","chosen":"good"}""",
            """{"prompt":"p","chosen":42,"rejected":"bad"}""",
            """{"prompt":"p","chosen":"Same  answer","rejected":" same answer"}""",
            """{"prompt":"p","chosen":"Same answer","rejected":"Same\tanswer "}""",
            """{"prompt":"p","chosen":"good","rejected":"   "}""",
            """{"prompt":"p","chosen":"good","rejected":"bad",}""",
            """["not", "an", "object"]""",
            """{"prompt":"p2","chosen":"fine","rejected":"worse"}""");
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("rows.jsonl", text));

        Assert.Equal(["rows.jsonl:1", "rows.jsonl:4", "rows.jsonl:9"], (await outputs.PairsAsync("ingest")).Select(p => Path.GetFileName(p.Source)));
        var quarantined = await outputs.QuarantineAsync("ingest");
        Assert.Equal(
            [("missing_field", 2), ("not_a_string", 3), ("identical_responses", 5), ("empty_response", 6), ("invalid_json", 7), ("not_an_object", 8)],
            quarantined.Select(q => (q.Reason, int.Parse(q.Source[(q.Source.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.All(quarantined, q => Assert.StartsWith("rows.jsonl:", Path.GetFileName(q.Source)));
        Assert.Equal("field 'rejected' is missing", quarantined[0].Detail);
        Assert.Equal("field 'chosen' is a number, not a string", quarantined[1].Detail);
        Assert.Equal("""{"prompt":"p","chosen":"good"}""", quarantined[0].Raw);
        var dropped = (await outputs.StatsAsync("ingest"))["dropped"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long>
        {
            ["empty_response"] = 1, ["identical_responses"] = 1, ["invalid_json"] = 1, ["missing_field"] = 1, ["not_a_string"] = 1, ["not_an_object"] = 1,
        }, dropped);
    }

    [Fact]
    public async Task Rows_of_no_known_format_and_transcripts_without_a_shared_assistant_turn_are_quarantined()
    {
        using var harness = new PipelineHarness();
        string unknown = harness.WriteFile("unknown.jsonl", """{"question":"q","answer":"a"}""");
        string hh = harness.WriteFile("hh.jsonl", string.Join('\n',
            new JsonObject { ["chosen"] = "\n\nHuman: hi\n\nAssistant: a", ["rejected"] = "\n\nHuman: hi\n\nAssistant: b" }.ToJsonString(),
            new JsonObject { ["chosen"] = "\n\nHuman: one\n\nAssistant: a", ["rejected"] = "\n\nHuman: two\n\nAssistant: b" }.ToJsonString()));

        var outputs = await harness.RunAsync($"  ingest:\n    kind: ingest\n    inputs: [\"{unknown}\", \"{hh}\"]\n");

        Assert.Single(await outputs.PairsAsync("ingest"));
        var quarantined = await outputs.QuarantineAsync("ingest");
        Assert.Equal([("unknown_format", "unknown.jsonl:1"), ("no_common_prompt", "hh.jsonl:2")], quarantined.Select(q => (q.Reason, Path.GetFileName(q.Source))));
        Assert.Contains("set 'format' and 'fields'", quarantined[0].Detail);
    }
}
