using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Judges.Rules;

/// <summary>Judges by scoring both responses with an <see cref="IRuleScorer"/>: the higher score wins.</summary>
public sealed class RuleJudge : IJudge
{
    private readonly IRuleScorer scorer;
    private readonly double tieMargin;

    /// <summary>Creates the judge.</summary>
    /// <param name="scorer">The scorer applied to each response.</param>
    /// <param name="tieMargin">Score differences with absolute value at most this are ties. Default 0 (only equal scores tie).</param>
    public RuleJudge(IRuleScorer scorer, double tieMargin = 0)
    {
        if (!(tieMargin >= 0))
            throw new ArgumentOutOfRangeException(nameof(tieMargin), tieMargin, "the tie margin must be zero or positive");
        this.scorer = scorer;
        this.tieMargin = tieMargin;
    }

    /// <inheritdoc />
    public string Name => $"rule:{scorer.Name}";

    /// <inheritdoc />
    public Task<JudgeOutcome> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var candidate = scorer.Score(request.Prompt, request.Candidate);
        var baseline = scorer.Score(request.Prompt, request.Baseline);
        var difference = candidate - baseline;
        var verdict = double.IsNaN(difference) ? Verdict.Invalid
            : difference > tieMargin ? Verdict.Win
            : difference < -tieMargin ? Verdict.Loss
            : Verdict.Tie;
        var fields = new Dictionary<string, string>
        {
            ["candidate_score"] = candidate.ToString("R", CultureInfo.InvariantCulture),
            ["baseline_score"] = baseline.ToString("R", CultureInfo.InvariantCulture),
        };
        return Task.FromResult(new JudgeOutcome(verdict, fields, candidate, baseline));
    }

    /// <inheritdoc />
    public JsonObject Describe() => new() { ["type"] = "rule", ["scorer"] = scorer.Name, ["tie_margin"] = tieMargin };
}
