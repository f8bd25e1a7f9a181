using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Judges.RewardModel;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.Evaluation.Stages;
using AlignmentPipeline.Evaluation.Tests.Stages;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

public sealed class RewardModelJudgeTests
{
    private static readonly JudgeRequest[] Requests =
    [
        new("win", "Say hi.", "Hi!!!", "Hi."),
        new("loss", "Say hi.", "Hello.", "Hello!"),
        new("equal", "Say hi.", "Hey!", "Hey!"),
        new("close", "Cheer!", "Go team go!", "Go, team, go!"), // one '!' each, lengths 11 and 13: a small difference
    ];

    [Fact]
    public async Task Rewards_equal_the_hand_computed_ones_and_the_higher_reward_wins()
    {
        using var temp = new TempDirectory("align-rm-judge");
        using var judge = RewardModelJudge.Load(ExclamationRewardModel.Save(temp.Path), "exclaim", tieMargin: 0, ModelRuntimeOptions.Cpu);

        var judged = await JudgeRunner.JudgeAllAsync(judge, Requests, cancellationToken: TestContext.Current.CancellationToken);

        foreach (var item in judged)
        {
            var (prompt, candidate, baseline) = (item.Request.Prompt, item.Request.Candidate, item.Request.Baseline);
            Assert.Equal(ExclamationRewardModel.Reward(prompt, candidate), item.Outcome.CandidateScore!.Value, 1e-5);
            Assert.Equal(ExclamationRewardModel.Reward(prompt, baseline), item.Outcome.BaselineScore!.Value, 1e-5);
        }

        // "close": 2 '!' in 19 tokens vs 2 in 21 (the prompt's counts too): the shorter candidate wins by 0.033.
        Assert.Equal([Verdict.Win, Verdict.Loss, Verdict.Tie, Verdict.Win], judged.Select(j => j.Outcome.Verdict));
        var fields = judge.Describe();
        Assert.Equal("reward_model:exclaim", judge.Name);
        Assert.Equal(Requests.Average(r => ExclamationRewardModel.Reward(r.Prompt, r.Candidate)), fields["mean_candidate_reward"]!.GetValue<double>(), 1e-5);
        Assert.Equal(Requests.Average(r => ExclamationRewardModel.Reward(r.Prompt, r.Baseline)), fields["mean_baseline_reward"]!.GetValue<double>(), 1e-5);
        Assert.Equal(4, fields["candidate_rewards"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task Reward_differences_within_the_tie_margin_are_ties()
    {
        var close = Requests[3];
        var difference = ExclamationRewardModel.Reward(close.Prompt, close.Candidate) - ExclamationRewardModel.Reward(close.Prompt, close.Baseline);
        var win = Requests[0];
        var large = ExclamationRewardModel.Reward(win.Prompt, win.Candidate) - ExclamationRewardModel.Reward(win.Prompt, win.Baseline);
        Assert.InRange(difference, 1e-3, large / 4); // a margin of twice the small difference leaves the large one decided

        using var temp = new TempDirectory("align-rm-judge");
        using var judge = RewardModelJudge.Load(ExclamationRewardModel.Save(temp.Path), "exclaim", tieMargin: 2 * difference, ModelRuntimeOptions.Cpu);
        var judged = await JudgeRunner.JudgeAllAsync(judge, Requests, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([Verdict.Win, Verdict.Loss, Verdict.Tie, Verdict.Tie], judged.Select(j => j.Outcome.Verdict));
    }

    [Fact]
    public void A_reward_model_judge_needs_its_model_and_accepts_a_tie_margin()
    {
        var missing = new JudgeOptions { Type = JudgeType.RewardModel }.Validate().ToList();
        Assert.Equal("reward_model", Assert.Single(missing).Key);
        Assert.Empty(new JudgeOptions { Type = JudgeType.RewardModel, RewardModel = "rm", TieMargin = 0.1 }.Validate());
        var misplaced = new JudgeOptions { Type = JudgeType.Rule, Scorer = "length", RewardModel = "rm" }.Validate().ToList();
        Assert.Contains(misplaced, p => p.Key == "reward_model" && p.Message.Contains("reward_model only"));
    }

    [Fact]
    public async Task Evaluate_with_a_reward_model_judge_reports_the_recounted_verdicts_mean_rewards_and_a_reward_plot()
    {
        using var pipeline = new StagePipeline();
        var rewardModel = ExclamationRewardModel.Save(Path.Combine(pipeline.Root, "rm"));
        var policy = TinyModels.Save(Path.Combine(pipeline.Root, "policy"), seed: 5);
        var pairs = GenerateEvaluateStageTests.PairsJsonl.Replace("shared his toy.", "shared his toy!").Replace("to a friend.", "to a friend!");
        var outputs = await pipeline.RunAsync(
            $"""
               pairs:
                 kind: ingest
                 inputs: [{pipeline.WriteFile("pairs.jsonl", pairs)}]
                 format: canonical
               gen:
                 kind: generate
                 prompts: pairs
                 models: [{policy}]
                 names: [policy]
                 max_new_tokens: 8
                 temperature: 0.8
                 seed: 3
               rm_eval:
                 kind: evaluate
                 input: gen
                 candidate: policy
                 baseline: dataset_chosen
                 judge: {"{"} type: reward_model, reward_model: {rewardModel}, device: cpu {"}"}
             """);

        var generated = (await outputs.RowsAsync("gen")).Select(GeneratedResponse.FromRow).ToList();
        var candidate = generated.Where(g => g.Model == "policy").ToDictionary(g => g.PromptId);
        var rewards = generated.Where(g => g.Model == "dataset_chosen")
            .Select(g => (Candidate: ExclamationRewardModel.Reward(g.Prompt, candidate[g.PromptId].Response), Baseline: ExclamationRewardModel.Reward(g.Prompt, g.Response)))
            .ToList();
        var report = ReportJson.Read((await outputs.JsonAsync("rm_eval", "report.json")).ToJsonString());
        Assert.Equal(("policy", "dataset_chosen"), (report.Candidate, report.Baseline));
        Assert.StartsWith("reward_model:", report.Judge);
        // Random bytes from the tiny policy almost never beat a text with a '!'; without one both rewards are 0 or near it.
        Assert.Equal(rewards.Count(r => r.Candidate > r.Baseline), report.Summary.Wins);
        Assert.Equal(rewards.Count(r => r.Candidate < r.Baseline), report.Summary.Losses);
        Assert.Equal(rewards.Count(r => r.Candidate == r.Baseline), report.Summary.Ties);
        Assert.True(report.Summary.Losses >= 2, $"the two chosen texts with '!' must beat the policy; losses {report.Summary.Losses}");
        Assert.Equal(rewards.Average(r => r.Candidate), report.JudgeFields["mean_candidate_reward"]!.GetValue<double>(), 1e-5);
        Assert.Equal(rewards.Average(r => r.Baseline), report.JudgeFields["mean_baseline_reward"]!.GetValue<double>(), 1e-5);
        Assert.Contains(ReportWriter.ScoresPlotFile, outputs["rm_eval"].Files);
    }
}
