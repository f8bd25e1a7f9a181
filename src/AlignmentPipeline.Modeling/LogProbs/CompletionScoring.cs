using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.LogProbs;

/// <summary>
/// The scoring half of <see cref="CompletionLogProbs"/>, shared by its padded and its shared-prompt layout: which flat
/// hidden-state row predicts each completion token, then the LM head and a float32 log-softmax over chunks of those
/// rows only (padding would cost B × Tc × V multiply-adds for nothing).
/// </summary>
internal sealed class CompletionScoring
{
    private readonly IReadOnlyList<IReadOnlyList<int>> completions;
    private readonly int width;
    private readonly long[] hiddenRows; // flat (b, t) hidden-state row that predicts each completion token
    private readonly long[] targets;
    private readonly long[] slots; // where each token's log-prob goes in the (S, Tc) result
    private readonly float[] mask;
    private int filled;

    /// <param name="completions">The completions of every sequence, in result order.</param>
    public CompletionScoring(IReadOnlyList<IReadOnlyList<int>> completions)
    {
        this.completions = completions;
        width = Math.Max(1, completions.Max(c => c.Count));
        var tokens = completions.Sum(c => c.Count);
        (hiddenRows, targets, slots, mask) = (new long[tokens], new long[tokens], new long[tokens], new float[completions.Count * width]);
    }

    /// <summary>
    /// Places sequence <paramref name="sequence"/>: its first token is predicted from flat hidden row
    /// <paramref name="promptLast"/> (the prompt's last token), token j ≥ 1 from row <paramref name="completionStart"/> + j − 1.
    /// </summary>
    public void Add(int sequence, long promptLast, long completionStart)
    {
        var completion = completions[sequence];
        for (var j = 0; j < completion.Count; j++, filled++)
        {
            hiddenRows[filled] = j == 0 ? promptLast : completionStart + j - 1;
            targets[filled] = completion[j];
            slots[filled] = (long)sequence * width + j;
            mask[sequence * width + j] = 1;
        }
    }

    /// <summary>Log-probs of every placed token from <paramref name="hidden"/> (B, T, C); tensors live in the caller's scope.</summary>
    public LogProbBatch Score(ICausalLanguageModel model, Tensor hidden, long maxLogitElements)
    {
        var device = hidden.device;
        var (S, N, C) = (completions.Count, targets.Length, hidden.shape[2]);
        var completionHidden = hidden.reshape(-1, C).index_select(0, tensor(hiddenRows, device: device)); // (N, C)
        var targetIds = tensor(targets, device: device); // (N)
        var chunk = (int)Math.Max(1, maxLogitElements / model.Config.VocabSize);
        var pieces = new List<Tensor>();
        for (var start = 0; start < N; start += chunk)
        {
            var rows = Math.Min(chunk, N - start);
            var logits = model.LmHead(completionHidden.narrow(0, start, rows)).to(float32); // (rows, V)
            var logProbs = logits.log_softmax(-1); // (rows, V)
            pieces.Add(logProbs.gather(-1, targetIds.narrow(0, start, rows).unsqueeze(-1)).squeeze(-1)); // (rows)
        }

        var flat = pieces.Count == 0 ? zeros(0, dtype: float32, device: device) : cat(pieces, 0); // (N)
        var tokenLogProbs = zeros(S * width, dtype: float32, device: device)
            .index_copy(0, tensor(slots, device: device), flat)
            .reshape(S, width); // (S, Tc), zero at padding
        return new LogProbBatch(tokenLogProbs.sum(-1), tokenLogProbs, tensor(mask, [S, width], device: device), completions.Select(c => c.Count).ToArray());
    }
}
