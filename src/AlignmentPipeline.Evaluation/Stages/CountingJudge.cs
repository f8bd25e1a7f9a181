using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Evaluation.Judges;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>Passes every item to <paramref name="inner"/> and advances a progress tracker when it is judged.</summary>
internal sealed class CountingJudge(IJudge inner, ProgressReporter.ProgressTracker progress) : IJudge
{
    public string Name => inner.Name;

    public async Task<JudgeOutcome> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken = default)
    {
        var outcome = await inner.JudgeAsync(request, cancellationToken).ConfigureAwait(false);
        progress.Advance();
        return outcome;
    }

    public JsonObject Describe() => inner.Describe();
}
