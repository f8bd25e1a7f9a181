using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Data.Tests.Ingest;

public sealed class FormatTests
{
    [Fact]
    public async Task Conversational_prompt_is_the_message_prefix_both_lists_share()
    {
        using var harness = new PipelineHarness();
        string row = """
            {"chosen":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello!"},{"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}],
             "rejected":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello!"},{"role":"user","content":"2+2?"},{"role":"assistant","content":"5"}]}
            """.ReplaceLineEndings("");
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("chat.jsonl", row), "format: conversational");

        var pair = Assert.Single(await outputs.PairsAsync("ingest"));
        Assert.Equal("messages", pair.Format);
        Assert.Equal("""[{"role":"user","content":"hi"},{"role":"assistant","content":"hello!"},{"role":"user","content":"2+2?"}]""", pair.Prompt);
        Assert.Equal("""[{"role":"assistant","content":"4"}]""", pair.Chosen);
        Assert.Equal("""[{"role":"assistant","content":"5"}]""", pair.Rejected);
    }

    [Fact]
    public async Task Conversational_explicit_prompt_may_be_a_list_or_a_string_and_bad_messages_are_quarantined()
    {
        using var harness = new PipelineHarness();
        string text = string.Join('\n',
            """{"prompt":[{"role":"system","content":"be brief"},{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"a"}],"rejected":[{"role":"assistant","content":"b"}]}""",
            """{"prompt":"q2","chosen":[{"role":"assistant","content":"a"}],"rejected":[{"role":"assistant","content":"b"}]}""",
            """{"prompt":"q3","chosen":[{"role":"assistant","text":"a"}],"rejected":[{"role":"assistant","content":"b"}]}""",
            """{"chosen":[{"role":"user","content":"x"}],"rejected":[{"role":"user","content":"y"}]}""");
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("chat.jsonl", text), "format: conversational");

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(2, pairs.Count);
        Assert.Equal("""[{"role":"system","content":"be brief"},{"role":"user","content":"q"}]""", pairs[0].Prompt);
        Assert.Equal("""[{"role":"user","content":"q2"}]""", pairs[1].Prompt);
        Assert.Equal(["invalid_messages", "no_common_prompt"], (await outputs.QuarantineAsync("ingest")).Select(q => q.Reason));
    }

    [Fact]
    public async Task Hh_transcript_prompt_ends_at_the_last_shared_assistant_marker_not_the_last_in_chosen()
    {
        using var harness = new PipelineHarness();
        string prompt = "\n\nHuman: How do I bake bread?\n\nAssistant:";
        var row = new JsonObject
        {
            ["chosen"] = prompt + " Knead it.\n\nHuman: and then?\n\nAssistant: Bake it.",
            ["rejected"] = prompt + " No idea.",
        };
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("hh.jsonl", row.ToJsonString()), "format: hh_transcript");

        var pair = Assert.Single(await outputs.PairsAsync("ingest"));
        Assert.Equal(prompt, pair.Prompt);
        Assert.Equal(" Knead it.\n\nHuman: and then?\n\nAssistant: Bake it.", pair.Chosen);
        Assert.Equal(" No idea.", pair.Rejected);
    }

    [Fact]
    public async Task Pairwise_judged_takes_the_majority_drops_ties_and_quarantines_non_string_responses()
    {
        using var harness = new PipelineHarness();
        string json = """
            [
              {"idx":1,"instruction":"Add","input":"1+1","response1":"2","response2":"3","annotator1":1,"annotator2":1,"annotator3":2},
              {"idx":2,"instruction":"Name a color","input":"","response1":"blue","response2":"red","annotator1":2,"annotator2":0,"annotator3":2},
              {"idx":3,"instruction":"Tie","input":"","response1":"a","response2":"b","annotator1":0,"annotator2":0,"annotator3":1},
              {"idx":4,"instruction":"Split","input":"","response1":"a","response2":"b","annotator1":0,"annotator2":1,"annotator3":2},
              {"idx":5,"instruction":"Bool","input":"","response1":true,"response2":"b","annotator1":1,"annotator2":1,"annotator3":1},
              {"idx":6,"instruction":"Empty","input":"","response1":"","response2":"b","annotator1":2,"annotator2":2,"annotator3":2},
              {"idx":7,"instruction":"Bad label","input":"","response1":"a","response2":"b","annotator1":3,"annotator2":1,"annotator3":1}
            ]
            """;
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("panda.json", json), "format: pairwise_judged\nfields: {id: idx}");

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(2, pairs.Count);
        Assert.Equal(("Add\n\n1+1", "2", "3", "1"), (pairs[0].Prompt, pairs[0].Chosen, pairs[0].Rejected, pairs[0].Id));
        Assert.Equal(("Name a color", "red", "blue"), (pairs[1].Prompt, pairs[1].Chosen, pairs[1].Rejected));
        Assert.Equal("""{"votes":[2,0,2],"winner":2}""", pairs[1].Metadata);
        var quarantined = await outputs.QuarantineAsync("ingest");
        Assert.Equal(["tie", "no_majority", "not_a_string", "empty_response", "invalid_label"], quarantined.Select(q => q.Reason));
        Assert.Equal(["panda.json:3", "panda.json:4", "panda.json:5", "panda.json:6", "panda.json:7"], quarantined.Select(q => Path.GetFileName(q.Source)));
    }

    [Theory]
    [InlineData("best_vs_worst", "A>C")]
    [InlineData("all_above_margin", "A>B A>C B>C")]
    [InlineData("best_vs_random", "A>?")]
    public async Task Scored_completions_pair_by_the_chosen_rule(string pairing, string expected)
    {
        using var harness = new PipelineHarness();
        string text = string.Join('\n',
            """{"instruction":"q","completions":[{"response":"A","overall_score":9},{"response":"B","overall_score":6.5},{"response":"C","overall_score":2}]}""",
            """{"instruction":"flat","completions":[{"response":"A","overall_score":5},{"response":"B","overall_score":5}]}""",
            """{"instruction":"broken","completions":[{"response":"A","overall_score":"n/a"},{"response":"B","overall_score":5}]}""");
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("uf.jsonl", text), $"format: scored\npairing: {pairing}\nmargin: 1\nseed: 3");

        var pairs = await outputs.PairsAsync("ingest");
        string actual = string.Join(' ', pairs.Select(p => $"{p.Chosen}>{p.Rejected}"));
        if (expected == "A>?")
        {
            Assert.Matches("^A>[BC]$", actual);
        }
        else
        {
            Assert.Equal(expected, actual);
        }

        Assert.Equal(["no_pair", "invalid_completion"], (await outputs.QuarantineAsync("ingest")).Select(q => q.Reason));
    }

    [Fact]
    public async Task Best_vs_random_draw_depends_on_seed_and_prompt_only()
    {
        var chosenBySeed = new Dictionary<int, string>();
        for (int seed = 0; seed < 16; seed++)
        {
            using var harness = new PipelineHarness();
            var completions = new JsonArray(Enumerable.Range(0, 6).Select(i => (JsonNode)new JsonObject { ["response"] = $"r{i}", ["overall_score"] = 10 - i }).ToArray());
            string row = new JsonObject { ["instruction"] = "q", ["completions"] = completions }.ToJsonString();
            string other = new JsonObject { ["instruction"] = "unrelated", ["completions"] = completions.DeepClone() }.ToJsonString();
            var forward = await IngestRun.RunAsync(harness, harness.WriteFile("a.jsonl", row + "\n" + other), $"format: scored\npairing: best_vs_random\nseed: {seed}");
            var backward = await IngestRun.RunAsync(harness, harness.WriteFile("b.jsonl", other + "\n" + row), $"format: scored\npairing: best_vs_random\nseed: {seed}");
            string a = (await forward.PairsAsync("ingest"))[0].Rejected, b = (await backward.PairsAsync("ingest"))[1].Rejected;
            Assert.Equal(a, b);
            chosenBySeed[seed] = a;
        }

        Assert.True(chosenBySeed.Values.Distinct().Count() >= 3, $"16 seeds drew only {string.Join(",", chosenBySeed.Values.Distinct())}");
    }

    [Fact]
    public async Task Auto_recognises_each_format_per_file()
    {
        using var harness = new PipelineHarness();
        harness.WriteFile("dir/1-canonical.jsonl", """{"prompt":"p","chosen":"a","rejected":"b"}""");
        harness.WriteFile("dir/2-chat.jsonl", """{"chosen":[{"role":"user","content":"u"},{"role":"assistant","content":"a"}],"rejected":[{"role":"user","content":"u"},{"role":"assistant","content":"b"}]}""");
        harness.WriteFile("dir/3-hh.jsonl", new JsonObject { ["chosen"] = "\n\nHuman: h\n\nAssistant: a", ["rejected"] = "\n\nHuman: h\n\nAssistant: b" }.ToJsonString());
        harness.WriteFile("dir/4-panda.json", """[{"instruction":"i","response1":"a","response2":"b","annotator1":1}]""");
        harness.WriteFile("dir/5-uf.jsonl", """{"instruction":"i","completions":[{"response":"a","overall_score":2},{"response":"b","overall_score":1}]}""");
        var outputs = await IngestRun.RunAsync(harness, Path.Combine(harness.Root, "in", "dir"));

        var sources = (await outputs.StatsAsync("ingest"))["sources"]!.AsArray();
        Assert.Equal(["canonical", "conversational", "hh_transcript", "pairwise_judged", "scored"], sources.Select(s => s!["format"]!.GetValue<string>()));
        Assert.Equal(["jsonl", "jsonl", "jsonl", "json_array", "jsonl"], sources.Select(s => s!["container"]!.GetValue<string>()));
        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(5, pairs.Count);
        Assert.All(pairs, p => Assert.Equal(("a", "b"), p.Format == "messages" ? ("a", "b") : (p.Chosen.Trim(), p.Rejected.Trim())));
    }

    [Theory]
    [InlineData("canonical", """{"q":"p","good":"a","bad":"b","key":"k1"}""", "{prompt: q, chosen: good, rejected: bad, id: key}", "p|a|b|k1")]
    [InlineData("hh_transcript", """{"win":"\n\nHuman: h\n\nAssistant: a","lose":"\n\nHuman: h\n\nAssistant: b"}""", "{chosen: win, rejected: lose}", "\n\nHuman: h\n\nAssistant:| a| b|")]
    [InlineData("conversational", """{"c":[{"r":"user","t":"u"},{"r":"assistant","t":"a"}],"x":[{"r":"user","t":"u"},{"r":"assistant","t":"b"}]}""",
        "{chosen: c, rejected: x, role: r, content: t}", """[{"role":"user","content":"u"}]|[{"role":"assistant","content":"a"}]|[{"role":"assistant","content":"b"}]|""")]
    [InlineData("pairwise_judged", """{"task":"i","ctx":"c","A":"a","B":"b","judge1":2,"judge2":2}""",
        "{instruction: task, input: ctx, response1: A, response2: B, annotator: judge}", "i\n\nc|b|a|")]
    [InlineData("scored", """{"question":"q","outs":[{"text":"a","rating":"7"},{"text":"b","rating":"1"}]}""",
        "{prompt: question, completions: outs, response: text, score: rating}", "q|a|b|")]
    public async Task Field_mapping_renames_the_source_fields_of_every_format(string format, string row, string fields, string expected)
    {
        using var harness = new PipelineHarness();
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("mapped.jsonl", row), $"format: {format}\nfields: {fields}");

        var pair = Assert.Single(await outputs.PairsAsync("ingest"));
        string[] parts = expected.Split('|');
        Assert.Equal((parts[0], parts[1], parts[2]), (pair.Prompt, pair.Chosen, pair.Rejected));
        if (parts[3].Length > 0)
        {
            Assert.Equal(parts[3], pair.Id);
        }
    }

    [Fact]
    public void Mapping_a_field_the_format_does_not_have_is_a_config_error()
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("x.jsonl", "");
        string yaml = $"name: t\nstages:\n  ingest:\n    kind: ingest\n    inputs: [\"{file}\"]\n    format: canonical\n    fields: {{response1: a}}\n";

        var error = Assert.Throws<ConfigException>(() => new PipelineLoader(new Core.Stages.StageRegistry(DataStageKinds.All)).Load(yaml, "p.yaml"));
        Assert.Contains("'fields.response1': 'response1' is not a field of format 'canonical'", error.Message);
    }
}
