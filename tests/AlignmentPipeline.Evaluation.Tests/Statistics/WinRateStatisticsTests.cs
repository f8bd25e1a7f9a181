using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Tests.Statistics;

public sealed class WinRateStatisticsTests
{
    private static Judgment J(Verdict verdict, int candidateLength = 100, int baselineLength = 100) =>
        new($"item-{Guid.NewGuid():N}", verdict, candidateLength, baselineLength);

    [Fact]
    public void Win_rate_counts_ties_half_and_excludes_invalid_judgments()
    {
        // 3 wins, 1 loss, 2 ties, 2 invalid → n = 6, win rate = (3 + 2/2) / 6 = 4/6.
        // Preferences 1,1,1,0,.5,.5: mean 2/3, squared deviations 3·(1/9) + 4/9 + 2·(1/36) = 15/18,
        // sample variance (15/18)/5 = 1/6, standard error √(1/6 / 6) = 1/6.
        var judgments = new[]
        {
            J(Verdict.Win, 10, 20), J(Verdict.Win, 30, 40), J(Verdict.Win, 50, 60), J(Verdict.Loss, 70, 80),
            J(Verdict.Tie, 90, 100), J(Verdict.Tie, 110, 120), J(Verdict.Invalid, 1000, 1000), J(Verdict.Invalid, 1, 1),
        };

        var summary = WinRateStatistics.Summarize(judgments);

        Assert.Equal((6, 3, 1, 2, 2), (summary.N, summary.Wins, summary.Losses, summary.Ties, summary.Invalid));
        Assert.Equal(4.0 / 6, summary.WinRate, 12);
        Assert.Equal(1.0 / 6, summary.StandardError, 12);
        Assert.Equal((10 + 30 + 50 + 70 + 90 + 110) / 6.0, summary.MeanLengthCandidate, 12);
        Assert.Equal((20 + 40 + 60 + 80 + 100 + 120) / 6.0, summary.MeanLengthBaseline, 12);
        Assert.InRange(summary.WinRate, summary.CiLow, summary.CiHigh);
    }

    [Fact]
    public void Length_controlled_win_rate_matches_an_independent_gradient_ascent_fit()
    {
        // Expected values from a separate pure-Python fit (400,000 steps of plain gradient ascent, step 0.05, on the
        // same features: tanh(Δ / stdev(Δ)) with statistics.stdev = 64.36166749257077); final gradient < 2e-15.
        int[] candidate = [120, 80, 200, 150, 90, 300, 60, 110, 250, 100, 130, 170];
        int[] baseline = [100, 100, 100, 140, 120, 150, 80, 100, 120, 110, 160, 100];
        var verdicts = "W L W T W W L L W L T L".Split(' ')
            .Select(s => s switch { "W" => Verdict.Win, "L" => Verdict.Loss, _ => Verdict.Tie }).ToArray();
        var judgments = verdicts.Select((v, i) => new Judgment($"{i}", v, candidate[i], baseline[i])).ToList();

        var summary = WinRateStatistics.Summarize(judgments);
        var fit = LengthControlledWinRate.Fit(
            judgments.Select(j => j.Preference!.Value).ToList(),
            judgments.Select(j => (double)j.CandidateLength - j.BaselineLength).ToList());

        Assert.Equal(0.5, summary.WinRate, 12);
        Assert.Equal(0.13762047064079508, summary.StandardError, 12);
        Assert.Equal(-0.333091110698292, fit.Intercept, 9);
        Assert.Equal(1.572249844933793, fit.LengthCoefficient, 9);
        Assert.Equal(0.4174886989393609, summary.LcWinRate!.Value, 9);
    }

    [Fact]
    public void Length_controlled_win_rate_averages_the_logits_of_two_length_groups()
    {
        // Worked example. Δ takes two values, +30 (5 items: 4 wins, 1 loss) and −30 (2 items: 1 win, 1 loss).
        // The feature is tanh(±30 / sd) = ±t, so the two-parameter model is saturated: it reproduces each group's
        // rate exactly. a + b·t = logit(4/5) = ln 4 and a − b·t = logit(1/2) = 0, hence a = ln 2, b = ln 4 / (2t),
        // and the length-controlled win rate is sigmoid(ln 2) = 2/3, while the raw win rate is 5/7.
        var judgments = new List<Judgment>();
        judgments.AddRange(Enumerable.Repeat(Verdict.Win, 4).Append(Verdict.Loss).Select((v, i) => new Judgment($"long{i}", v, 130, 100)));
        judgments.Add(new Judgment("short0", Verdict.Win, 70, 100));
        judgments.Add(new Judgment("short1", Verdict.Loss, 70, 100));
        double[] deltas = [30, 30, 30, 30, 30, -30, -30];
        var mean = deltas.Average();
        var t = Math.Tanh(30 / Math.Sqrt(deltas.Sum(d => (d - mean) * (d - mean)) / 6));

        var summary = WinRateStatistics.Summarize(judgments);
        var fit = LengthControlledWinRate.Fit(judgments.Select(j => j.Preference!.Value).ToList(), deltas);

        Assert.Equal(5.0 / 7, summary.WinRate, 12);
        Assert.Equal(2.0 / 3, summary.LcWinRate!.Value, 10);
        Assert.Equal(Math.Log(2), fit.Intercept, 10);
        Assert.Equal(Math.Log(4) / (2 * t), fit.LengthCoefficient, 9);
    }

    [Fact]
    public void Length_controlled_win_rate_equals_the_raw_rate_when_no_length_differs()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var judgments = RandomJudgments(random, random.Next(1, 60), equalLengths: true);
            if (judgments.All(j => j.Verdict == Verdict.Invalid))
                continue;

            var summary = WinRateStatistics.Summarize(judgments, new BootstrapOptions { Resamples = 10 });

            Assert.Equal(summary.WinRate, summary.LcWinRate!.Value, 12);
        }
    }

    [Fact]
    public void Swapping_candidate_and_baseline_turns_the_win_rate_into_its_complement()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var judgments = RandomJudgments(random, random.Next(2, 80), equalLengths: false);
            if (judgments.All(j => j.Verdict == Verdict.Invalid))
                continue;
            var options = new BootstrapOptions { Resamples = 200, Seed = trial };

            var forward = WinRateStatistics.Summarize(judgments, options);
            var backward = WinRateStatistics.Summarize(judgments.Select(j => j.Swapped()).ToList(), options);

            Assert.Equal(1 - forward.WinRate, backward.WinRate, 12);
            Assert.Equal(forward.StandardError, backward.StandardError, 12);
            Assert.Equal((forward.Wins, forward.Losses, forward.Ties), (backward.Losses, backward.Wins, backward.Ties));
            Assert.True(forward.LcWinRate is null == backward.LcWinRate is null, $"trial {trial}: {forward.LcWinRate} vs {backward.LcWinRate}; {string.Join(",", judgments.Select(j => $"{j.Verdict}:{j.CandidateLength - j.BaselineLength}"))}");
            if (forward.LcWinRate is { } lc)
                Assert.Equal(1 - lc, backward.LcWinRate!.Value, 6);
        }
    }

    [Fact]
    public void A_model_against_itself_in_both_orders_has_win_rate_one_half()
    {
        var random = new Random(13);
        var judgments = RandomJudgments(random, 50, equalLengths: false);
        var pooled = judgments.Concat(judgments.Select(j => j.Swapped())).ToList();

        var summary = WinRateStatistics.Summarize(pooled);

        Assert.Equal(0.5, summary.WinRate, 12);
        Assert.Equal(0.5, summary.LcWinRate!.Value, 9);
        Assert.Equal(summary.Wins, summary.Losses);
        Assert.InRange(0.5, summary.CiLow, summary.CiHigh);
    }

    [Fact]
    public void Seeded_bootstrap_gives_the_same_interval_twice_and_another_seed_a_different_one()
    {
        var judgments = RandomJudgments(new Random(3), 120, equalLengths: false);

        var first = WinRateStatistics.Summarize(judgments, new BootstrapOptions { Seed = 42 });
        var second = WinRateStatistics.Summarize(judgments, new BootstrapOptions { Seed = 42 });
        var other = WinRateStatistics.Summarize(judgments, new BootstrapOptions { Seed = 43 });

        Assert.Equal((first.CiLow, first.CiHigh), (second.CiLow, second.CiHigh));
        Assert.NotEqual((first.CiLow, first.CiHigh), (other.CiLow, other.CiHigh));
    }

    [Fact]
    public void Bootstrap_95_percent_intervals_cover_the_true_rate_at_about_the_nominal_level()
    {
        // 400 simulated studies of n = 200 Bernoulli(p) judgments with p drawn from [0.2, 0.8]. With 400 studies the
        // coverage estimate has a standard error of about 0.011, so [0.92, 0.98] is roughly ±2.7 standard errors.
        var random = new Random(2024);
        var covered = 0;
        const int studies = 400;
        for (var study = 0; study < studies; study++)
        {
            var p = 0.2 + 0.6 * random.NextDouble();
            var judgments = Enumerable.Range(0, 200)
                .Select(i => new Judgment($"{i}", random.NextDouble() < p ? Verdict.Win : Verdict.Loss, 100, 100))
                .ToList();

            var summary = WinRateStatistics.Summarize(judgments, new BootstrapOptions { Seed = study });

            if (summary.CiLow <= p && p <= summary.CiHigh)
                covered++;
        }

        var coverage = (double)covered / studies;
        Assert.InRange(coverage, 0.92, 0.98);
    }

    [Fact]
    public void Complete_separation_by_length_leaves_the_length_controlled_rate_undefined()
    {
        // Every longer candidate wins and every shorter one loses: the likelihood rises forever with the slope.
        var judgments = new[]
        {
            new Judgment("a", Verdict.Win, 150, 100), new Judgment("b", Verdict.Win, 120, 100),
            new Judgment("c", Verdict.Loss, 80, 100), new Judgment("d", Verdict.Loss, 60, 100),
        };

        var summary = WinRateStatistics.Summarize(judgments);

        Assert.Equal(0.5, summary.WinRate, 12);
        Assert.Null(summary.LcWinRate);
    }

    [Fact]
    public void All_wins_give_rate_one_with_a_degenerate_interval()
    {
        var judgments = Enumerable.Range(0, 20).Select(i => new Judgment($"{i}", Verdict.Win, 100 + i, 100)).ToList();

        var summary = WinRateStatistics.Summarize(judgments);

        Assert.Equal((1.0, 1.0, 1.0, 1.0), (summary.WinRate, summary.CiLow, summary.CiHigh, summary.LcWinRate!.Value));
        Assert.Equal(0.0, summary.StandardError);
    }

    [Fact]
    public void Only_invalid_judgments_is_an_error_that_names_the_count()
    {
        var judgments = new[] { J(Verdict.Invalid), J(Verdict.Invalid) };

        var error = Assert.Throws<ArgumentException>(() => WinRateStatistics.Summarize(judgments));

        Assert.Contains("2 invalid", error.Message);
    }

    private static List<Judgment> RandomJudgments(Random random, int count, bool equalLengths)
    {
        var verdicts = new[] { Verdict.Win, Verdict.Loss, Verdict.Tie, Verdict.Invalid };
        return Enumerable.Range(0, count).Select(i =>
        {
            var baseline = random.Next(1, 500);
            return new Judgment($"{i}", verdicts[random.Next(4)], equalLengths ? baseline : random.Next(1, 500), baseline);
        }).ToList();
    }
}
