using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Judges.Rules;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

public sealed class RuleJudgeTests
{
    private sealed class FixedScorer(Func<string, double> score) : IRuleScorer
    {
        public string Name => "fixed";

        public double Score(string prompt, string response) => score(response);
    }

    [Fact]
    public void Lexicon_sentiment_counts_kind_words_minus_unkind_words()
    {
        var scorer = new LexiconSentimentScorer();

        // kind: "Kind", "shared", "hug" (3); unkind: "yelled" (1); "kindness" and "friend's" are other words.
        var score = scorer.Score("", "The Kind girl shared her toy and gave a hug. Her brother yelled. Such kindness, her friend's mom said, and her friend’s dad.");

        Assert.Equal(2, score);
    }

    [Fact]
    public void Lexicon_sentiment_uses_custom_word_lists_and_rejects_a_word_on_both()
    {
        var scorer = new LexiconSentimentScorer(["sunny"], ["rainy"]);

        Assert.Equal(-1, scorer.Score("", "A rainy, rainy, sunny day."));
        Assert.Throws<ArgumentException>(() => new LexiconSentimentScorer(["calm", "Nice"], ["nice"]));
    }

    [Fact]
    public async Task The_higher_score_wins_and_differences_within_the_margin_tie()
    {
        var judge = new RuleJudge(new FixedScorer(double.Parse), tieMargin: 0.5);

        var outcomes = await Task.WhenAll(
            judge.JudgeAsync(new JudgeRequest("w", "", "3", "2"), TestContext.Current.CancellationToken),
            judge.JudgeAsync(new JudgeRequest("l", "", "1", "2"), TestContext.Current.CancellationToken),
            judge.JudgeAsync(new JudgeRequest("t", "", "2.4", "2"), TestContext.Current.CancellationToken),
            judge.JudgeAsync(new JudgeRequest("n", "", "NaN", "2"), TestContext.Current.CancellationToken));

        Assert.Equal([Verdict.Win, Verdict.Loss, Verdict.Tie, Verdict.Invalid], outcomes.Select(o => o.Verdict));
        Assert.Equal((3.0, 2.0), (outcomes[0].CandidateScore!.Value, outcomes[0].BaselineScore!.Value));
        Assert.Equal("3", outcomes[0].Fields["candidate_score"]);
    }

    [Fact]
    public async Task A_model_judged_against_itself_has_win_rate_one_half()
    {
        var judge = new RuleJudge(new LexiconSentimentScorer());
        string[] stories = ["She was kind.", "He hit the dog.", "They played.", "The mean cat hugged a friend."];
        var requests = stories.Select((s, i) => new JudgeRequest($"{i}", "Tell a story.", s, s)).ToList();

        var judged = await JudgeRunner.JudgeAllAsync(judge, requests, cancellationToken: TestContext.Current.CancellationToken);
        var summary = WinRateStatistics.Summarize(judged.Select(j => j.ToJudgment()).ToList());

        Assert.Equal((0.5, 0.5, 4), (summary.WinRate, summary.LcWinRate!.Value, summary.Ties));
    }

    [Fact]
    public async Task Kinder_endings_win_under_the_lexicon_judge()
    {
        var judge = new RuleJudge(RuleScorerRegistry.CreateDefault().Create("lexicon-sentiment"));
        var requests = new[]
        {
            new JudgeRequest("0", "Lily had a ball.", "Lily shared the ball with her friend and they smiled.", "Lily pushed her friend and grabbed the ball."),
            new JudgeRequest("1", "Ben saw a cat.", "Ben yelled at the cat.", "Ben gave the cat a gentle hug."),
        };

        var judged = await JudgeRunner.JudgeAllAsync(judge, requests, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([Verdict.Win, Verdict.Loss], judged.Select(j => j.Outcome.Verdict));
        Assert.Equal("rule:lexicon-sentiment", judge.Name);
        Assert.Equal("lexicon-sentiment", judge.Describe()["scorer"]!.GetValue<string>());
    }

    [Fact]
    public void The_registry_names_the_known_scorers_when_asked_for_an_unknown_one()
    {
        var registry = RuleScorerRegistry.CreateDefault();

        var error = Assert.Throws<KeyNotFoundException>(() => registry.Create("sentiment"));

        Assert.Equal(["length", "lexicon-sentiment"], registry.Names);
        Assert.Contains("'sentiment'", error.Message);
        Assert.Contains("length, lexicon-sentiment", error.Message);
        Assert.Throws<ArgumentException>(() => registry.Register("length", () => new LengthScorer()));
    }
}
