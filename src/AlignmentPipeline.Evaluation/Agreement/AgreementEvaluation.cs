using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>Asks a judge about every human-labelled pair and compares its verdicts with the human labels.</summary>
public static class AgreementEvaluation
{
    /// <summary>
    /// Judges each labelled pair with response1 as the candidate and response2 as the baseline, so a judge's
    /// <see cref="Verdict.Win"/> means "response1 better" like the human label. Rows without a human majority are left
    /// out and counted; rows whose response is not a string count as invalid verdicts without asking the judge.
    /// </summary>
    /// <param name="judge">Any judge; it sees the same prompt and responses a person saw.</param>
    /// <param name="pairs">Rows of a labelled file (<see cref="HumanLabelledPairs.Load"/>).</param>
    /// <param name="bootstrap">Bootstrap settings of the agreement intervals; null means 2000 resamples, seed 0, 95 %.</param>
    /// <param name="maxParallelism">Pairs judged at once. Default 8.</param>
    /// <param name="cancellationToken">Cancels the remaining pairs.</param>
    /// <exception cref="ArgumentException">No row is labelled, or the judge gave no valid verdict.</exception>
    public static async Task<AgreementReport> RunAsync(
        IJudge judge,
        IReadOnlyList<HumanLabelledPair> pairs,
        BootstrapOptions? bootstrap = null,
        int maxParallelism = 8,
        CancellationToken cancellationToken = default)
    {
        bootstrap ??= new BootstrapOptions();
        var labelled = pairs.Where(p => p.Human is not null).ToList();
        if (labelled.Count == 0)
            throw new ArgumentException($"none of the {pairs.Count} rows has a human majority label", nameof(pairs));
        var scorable = labelled.Where(p => p is { Response1: not null, Response2: not null }).ToList();
        var judged = await JudgeRunner.JudgeAllAsync(
            judge,
            scorable.Select(p => new JudgeRequest(p.ItemId, p.Prompt, p.Response1!, p.Response2!)).ToList(),
            maxParallelism,
            cancellationToken).ConfigureAwait(false);
        var verdicts = scorable.Select((p, i) => (judged[i].Outcome.Verdict, p.Human!.Value))
            .Concat(labelled.Where(p => p.Response1 is null || p.Response2 is null).Select(p => (Verdict.Invalid, p.Human!.Value)))
            .ToList();
        return new AgreementReport(
            judge.Name,
            judge.Describe(),
            Rows: pairs.Count,
            Unlabelled: pairs.Count - labelled.Count,
            MissingResponse: labelled.Count - scorable.Count,
            bootstrap,
            JudgeAgreement.Compute(verdicts, bootstrap));
    }
}
