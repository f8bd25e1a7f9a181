using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Filters;
using AlignmentPipeline.Data.Ingest;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Tests.Filters;

public sealed class FilterTests
{
    private static Task<PipelineHarness.Outputs> RunAsync(PipelineHarness harness, string rows, string filterOptions, IEnumerable<StageKind>? kinds = null) =>
        harness.RunAsync($"  ingest:\n    kind: ingest\n    inputs: [\"{harness.WriteFile("pairs.jsonl", rows)}\"]\n  filter:\n    kind: filter\n    input: ingest\n" +
                         string.Concat(filterOptions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"    {l}\n")), kinds);

    private static string Row(string prompt, string chosen, string rejected) =>
        new JsonObject { ["prompt"] = prompt, ["chosen"] = chosen, ["rejected"] = rejected }.ToJsonString();

    [Fact]
    public async Task Each_check_drops_with_its_reason_and_the_first_failing_check_wins()
    {
        using var harness = new PipelineHarness();
        string rows = string.Join('\n',
            Row("hello there", "fine answer", "other answer"),            // kept
            Row("p", "ab", "cd"),                                         // too_short: 1 + 2 = 3 < 5
            Row("p", new string('x', 60), "short one"),                   // too_long: 61 > 50 (also length_ratio: first wins)
            Row("one two three four", "five six seven", "eight"),         // too_many_tokens: 4 + 3 = 7 > 6
            Row("ratio", "a", "abcdefghij"),                              // length_ratio: 10 > 4
            Row("bad\u0001\u0002\u0003", "answer x", "answer y"),          // non_printable: 3 of 6 in prompt
            Row("no match here", "zz", "yy"),                             // no_include_match
            Row("has SECRET word", "answer", "answers"));                 // excluded_pattern
        var outputs = await RunAsync(harness, rows,
            "min_chars: 5\nmax_chars: 50\nmax_tokens: 6\nmax_length_ratio: 4\nmax_non_printable_ratio: 0.2\ninclude: ['answer', 'hello']\nexclude: ['SECRET']");

        Assert.Equal(["hello there"], (await outputs.PairsAsync("filter")).Select(p => p.Prompt));
        var quarantined = await outputs.QuarantineAsync("filter");
        Assert.Equal(["too_short", "too_long", "too_many_tokens", "length_ratio", "non_printable", "no_include_match", "excluded_pattern"],
            quarantined.Select(q => q.Reason));
        var ingested = await outputs.PairsAsync("ingest");
        Assert.Equal(ingested.Skip(1).Select(p => p.Id), quarantined.Select(q => q.Source));
        Assert.Equal("p", JsonNode.Parse(quarantined[0].Raw!)!["prompt"]!.GetValue<string>());

        var filters = (await outputs.StatsAsync("filter"))["filters"]!;
        Assert.Equal((8, 0), Counts(filters["identical_responses"]!));
        Assert.Equal((8, 2), Counts(filters["chars"]!));
        Assert.Equal((6, 1), Counts(filters["tokens"]!));
        Assert.Equal((5, 1), Counts(filters["length_ratio"]!));
        Assert.Equal((4, 1), Counts(filters["non_printable"]!));
        Assert.Equal((3, 1), Counts(filters["include"]!));
        Assert.Equal((2, 1), Counts(filters["exclude"]!));
    }

    [Fact]
    public async Task Lengths_of_message_pairs_count_the_message_contents()
    {
        using var harness = new PipelineHarness();
        string rows = """{"chosen":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"rejected":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}""";
        var outputs = await RunAsync(harness, rows, "max_chars: 7");

        Assert.Single(await outputs.PairsAsync("filter"));
    }

    [Fact]
    public async Task Custom_filters_registered_by_name_run_after_the_built_in_checks()
    {
        using var harness = new PipelineHarness();
        var kinds = new[] { IngestStage.Kind, FilterStage.DefineKind([new PromptEndsWithQuestion()]) };
        string rows = string.Join('\n', Row("Why?", "because", "no"), Row("Tell me.", "ok", "no"));
        var outputs = await RunAsync(harness, rows, "custom: [question_prompt]", kinds);

        Assert.Equal(["Why?"], (await outputs.PairsAsync("filter")).Select(p => p.Prompt));
        var dropped = Assert.Single(await outputs.QuarantineAsync("filter"));
        Assert.Equal(("not_a_question", "the prompt does not end with '?'"), (dropped.Reason, dropped.Detail));
        Assert.Equal(1, (await outputs.StatsAsync("filter"))["dropped"]!["not_a_question"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_unregistered_custom_filter_name_fails_with_the_registered_names()
    {
        using var harness = new PipelineHarness();
        var error = await Assert.ThrowsAsync<UserErrorException>(() => RunAsync(harness, Row("p", "a", "b"), "custom: [nope]"));
        Assert.Contains("no custom filter named 'nope' is registered; registered: none", error.Message);
    }

    [Fact]
    public void Invalid_regex_and_inverted_bounds_are_reported_together_at_load_time()
    {
        using var harness = new PipelineHarness();
        string yaml = $"name: t\nstages:\n  ingest:\n    kind: ingest\n    inputs: [\"{harness.WriteFile("x.jsonl", "")}\"]\n" +
                      "  filter:\n    kind: filter\n    input: ingest\n    min_chars: 10\n    max_chars: 5\n    exclude: ['(unclosed']\n";

        var error = Assert.Throws<ConfigException>(() => new PipelineLoader(new StageRegistry(DataStageKinds.All)).Load(yaml, "p.yaml"));
        Assert.Contains("min_chars (10) is greater than max_chars (5)", error.Message);
        Assert.Contains("pattern 0 '(unclosed' is not a valid regular expression", error.Message);
    }

    private static (long Seen, long Dropped) Counts(JsonNode node) => (node["seen"]!.GetValue<long>(), node["dropped"]!.GetValue<long>());

    private sealed class PromptEndsWithQuestion : IPairFilter
    {
        public string Name => "question_prompt";

        public FilterDecision Decide(PreferencePair pair) =>
            pair.Prompt.TrimEnd().EndsWith('?') ? FilterDecision.Keep : FilterDecision.Drop("not_a_question", "the prompt does not end with '?'");
    }
}
