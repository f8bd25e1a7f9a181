using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

public sealed class EvalAgreementCommandTests
{
    [Fact]
    public async Task Agreement_of_the_length_judge_on_a_generated_file_matches_the_counts_it_was_built_from()
    {
        // Built so the numbers are known by hand (response lengths decide the length judge):
        //   30 × longer 1st, humans say 1st | 20 × longer 2nd, humans 2nd | 10 × longer 1st, humans 2nd
        //    5 × equal lengths, humans tie  |  5 × longer 1st, humans tie  | 2 × no annotator majority | 1 × boolean response, humans 1st
        // Valid n = 70, agreement 55/70. Judge 1st 45, 2nd 20, tie 5; humans 1st 30, 2nd 30, tie 10.
        // p_e = (45·30 + 20·30 + 5·10) / 70² = 2000/4900, kappa = (3850 − 2000) / (4900 − 2000) = 1850/2900.
        // Without ties: 60 pairs, agreement 50/60; judge 1st 40, 2nd 20; humans 30, 30; p_e = 1/2, kappa = (5/6 − 1/2) / (1/2) = 2/3.
        using var temp = new TempDirectory("align-agreement");
        var rows = new List<object>();
        void Add(int count, string first, string second, object annotators)
        {
            for (int i = 0; i < count; i++)
            {
                rows.Add(new { id = $"r{rows.Count}", prompt = $"Prompt {rows.Count}", response1 = first, response2 = second, annotators });
            }
        }

        Add(30, "a long answer", "short", 1);
        Add(20, "short", "a long answer", 2);
        Add(10, "a long answer", "short", 2);
        Add(5, "same!", "equal", 0);
        Add(5, "a long answer", "short", 0);
        Add(2, "a long answer", "short", new[] { 0, 1, 2 });
        File.WriteAllLines(temp.File("labelled.jsonl"), rows.Select(Line).Append("{\"id\": \"bool\", \"prompt\": \"p\", \"response1\": true, \"response2\": \"x\", \"label\": 1}"));

        var result = await AlignProcess.RunAsync(temp.Path, "eval", "agreement", "labelled.jsonl", "--judge", "rule:length", "--output", "agreement.json");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("73 rows, 2 without a human majority, 1 with a non-text response (invalid); human labels of the rest: 1st 30, 2nd 30, tie 10", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"rule:length\s+70\s+0\.786 \[0\.\d{3}, 0\.\d{3}\]\s+0\.638\s+60\s+0\.833 \[0\.\d{3}, 0\.\d{3}\]\s+0\.667\s+1st 45, 2nd 20, tie 5\s+1", result.Out);
        var judge = JsonNode.Parse(File.ReadAllText(temp.File("agreement.json")))!["judges"]![0]!;
        Assert.Equal(("rule:length", 73, 2, 1, 71, 1, 70, 60), (judge["judge"]!.GetValue<string>(), judge["rows"]!.GetValue<int>(),
            judge["unlabelled"]!.GetValue<int>(), judge["missing_response"]!.GetValue<int>(), judge["items"]!.GetValue<int>(),
            judge["invalid"]!.GetValue<int>(), judge["n"]!.GetValue<int>(), judge["n_excluding_ties"]!.GetValue<int>()));
        Assert.Equal(55.0 / 70, judge["accuracy"]!.GetValue<double>(), 12);
        Assert.Equal(1850.0 / 2900, judge["cohen_kappa"]!.GetValue<double>(), 12);
        Assert.Equal(50.0 / 60, judge["accuracy_excluding_ties"]!.GetValue<double>(), 12);
        Assert.Equal(2.0 / 3, judge["cohen_kappa_excluding_ties"]!.GetValue<double>(), 12);
        Assert.Equal(10, judge["human"]!["tie"]!.GetValue<int>());
        // The 95% interval of a rate of 0.786 over 70 pairs: normal half-width 1.96·sqrt(0.786·0.214/70) = 0.096.
        Assert.InRange(judge["ci_low"]!.GetValue<double>(), 0.786 - 0.096 - 0.03, 0.786 - 0.096 + 0.03);
        Assert.InRange(judge["ci_high"]!.GetValue<double>(), 0.786 + 0.096 - 0.03, 0.786 + 0.096 + 0.03);
    }

    [Fact]
    public async Task A_trained_reward_model_folder_is_an_offline_judge_whose_agreement_follows_its_rewards()
    {
        // The exclamation reward model prefers the response with the larger share of '!': it agrees with the humans on
        // r0 and r1 and disagrees on r2, so agreement is 2/3 and the judge says 1st once and 2nd twice.
        using var temp = new TempDirectory("align-agreement-rm");
        var model = Evaluation.Tests.Judges.ExclamationRewardModel.Save(temp.File("rm"));
        File.WriteAllLines(temp.File("labelled.jsonl"),
        [
            Line(new { id = "r0", prompt = "Say it", response1 = "wow!!", response2 = "fine", annotators = 1 }),
            Line(new { id = "r1", prompt = "Say it", response1 = "ok", response2 = "great!", annotators = 2 }),
            Line(new { id = "r2", prompt = "Say it", response1 = "calm", response2 = "loud!!!", annotators = 1 }),
        ]);

        var result = await AlignProcess.RunAsync(temp.Path, "eval", "agreement", "labelled.jsonl", "--judge", $"reward_model:{model}", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        var judge = JsonNode.Parse(result.Out)!["judges"]![0]!;
        Assert.Equal(3, judge["n"]!.GetValue<int>());
        Assert.Equal(2.0 / 3, judge["accuracy"]!.GetValue<double>(), 12);
        Assert.Equal((1, 2, 0), (judge["judge_labels"]!["first_better"]!.GetValue<int>(), judge["judge_labels"]!["second_better"]!.GetValue<int>(), judge["judge_labels"]!["tie"]!.GetValue<int>()));

        var missing = await AlignProcess.RunAsync(temp.Path, "eval", "agreement", "labelled.jsonl", "--judge", "reward_model:no-such-folder");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("'no-such-folder' is not a folder", missing.Error);
    }

    [Fact]
    public async Task Agreement_on_PandaLM_covers_every_offline_judge_and_matches_an_independent_count_for_length()
    {
        var pandaLm = SharedData.RequireFile("preferences/pandalm-testset/testset-v1.json");
        using var temp = new TempDirectory("align-agreement");

        var result = await AlignProcess.RunAsync(temp.Path, "eval", "agreement", pandaLm, "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        var judges = JsonNode.Parse(result.Out)!["judges"]!.AsArray().ToDictionary(j => j!["judge"]!.GetValue<string>(), j => j!);
        Assert.Equal(["rule:length", "rule:lexicon-sentiment"], judges.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, judge) in judges)
        {
            TestContext.Current.SendDiagnosticMessage(
                $"PandaLM {name}: n={judge["n"]} agreement={judge["accuracy"]} [{judge["ci_low"]}, {judge["ci_high"]}] kappa={judge["cohen_kappa"]}; " +
                $"without ties n={judge["n_excluding_ties"]} agreement={judge["accuracy_excluding_ties"]} kappa={judge["cohen_kappa_excluding_ties"]}; " +
                $"judge labels {judge["judge_labels"]!.ToJsonString()}");
        }

        // Independent Python count (see JudgeAgreementTests in Evaluation.Tests): n 993, agreement 0.6143001007049346, humans 418/470/105.
        var length = judges["rule:length"];
        Assert.Equal(993, length["n"]!.GetValue<int>());
        Assert.Equal(0.6143001007049346, length["accuracy"]!.GetValue<double>(), 12);
        Assert.Equal(105, length["human"]!["tie"]!.GetValue<int>());
        Assert.InRange(length["accuracy"]!.GetValue<double>(), length["ci_low"]!.GetValue<double>(), length["ci_high"]!.GetValue<double>());
    }

    [Fact]
    public async Task An_unknown_judge_or_a_missing_file_is_a_usage_error_naming_the_known_judges()
    {
        using var temp = new TempDirectory("align-agreement");
        temp.Write("one.jsonl", "{\"prompt\": \"p\", \"response1\": \"x\", \"response2\": \"yy\", \"label\": 2}\n");

        var unknown = await AlignProcess.RunAsync(temp.Path, "eval", "agreement", "one.jsonl", "--judge", "oracle:x");
        var missing = await AlignProcess.RunAsync(temp.Path, "eval", "agreement", "nope.jsonl");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--judge 'oracle:x': unknown judge; known judges: rule:length, rule:lexicon-sentiment", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("labelled pair file 'nope.jsonl' does not exist", missing.Error, StringComparison.Ordinal);
    }

    private static string Line(object row)
    {
        var node = JsonSerializer.SerializeToNode(row)!.AsObject();
        var annotators = node["annotators"]!;
        node.Remove("annotators");
        if (annotators is JsonArray several)
        {
            for (int i = 0; i < several.Count; i++)
            {
                node[$"annotator{i + 1}"] = several[i]!.GetValue<int>();
            }
        }
        else
        {
            node["label"] = annotators.GetValue<int>();
        }

        return node.ToJsonString();
    }
}
