using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// Sequence packing for SFT (<c>packing: true</c>): the examples of a micro-batch are concatenated into rows of at most
/// <c>rowLength</c> tokens (first-fit decreasing), and attention never crosses an example boundary: the mask is
/// block-diagonal causal and positions restart at 0 for each example. Every example therefore sees exactly the context
/// it sees alone, and the completion log-probs, loss and gradients equal the unpacked ones up to float rounding while
/// the padding between rows of unequal length disappears.
/// </summary>
internal static class SequencePacking
{
    /// <summary>Upper bound on logits materialised at once (rows × V elements, 64 MB of float32).</summary>
    private const long MaxLogitElements = 1L << 24;

    /// <summary>
    /// Example indexes per packed row: longest first, each into the first row with room (first-fit decreasing), ties
    /// kept in input order. Every example must fit a row on its own.
    /// </summary>
    public static List<List<int>> Rows(IReadOnlyList<LogProbRequest> examples, int rowLength)
    {
        var rows = new List<List<int>>();
        var used = new List<int>();
        foreach (var i in Enumerable.Range(0, examples.Count).OrderByDescending(i => Length(examples[i])))
        {
            var length = Length(examples[i]);
            if (length > rowLength)
            {
                throw new ArgumentException($"example {i} has {length} tokens, more than a packed row's {rowLength}");
            }

            var row = used.FindIndex(u => u + length <= rowLength);
            if (row < 0)
            {
                rows.Add([]);
                used.Add(0);
                row = rows.Count - 1;
            }

            rows[row].Add(i);
            used[row] += length;
        }

        return rows;
    }

    /// <summary>
    /// Σ over <paramref name="examples"/> of their completion tokens' log-probs (a scalar with a graph to backpropagate),
    /// from one forward over the packed rows: each completion token is scored from the hidden state just before it,
    /// as <see cref="CompletionLogProbs"/> does. Log-softmax runs in float32 over chunks of tokens.
    /// </summary>
    public static Tensor CompletionLogProbSum(ICausalLanguageModel model, IReadOnlyList<LogProbRequest> examples, int rowLength)
    {
        using var scope = NewDisposeScope();
        var rows = Rows(examples, rowLength);
        var (R, T) = (rows.Count, rows.Max(r => r.Sum(i => Length(examples[i]))));
        var ids = new long[R * T];
        var positions = new long[R * T];
        var segments = new long[R * T]; // 1, 2, … per example in its row; 0 for padding at the row's end
        var scored = new List<long>(); // flat index r·T + t of the hidden state predicting each completion token
        var targets = new List<long>();
        for (var r = 0; r < R; r++)
        {
            var offset = 0;
            for (var k = 0; k < rows[r].Count; k++)
            {
                var (prompt, completion) = (examples[rows[r][k]].PromptIds, examples[rows[r][k]].CompletionIds);
                for (var t = 0; t < prompt.Count + completion.Count; t++)
                {
                    var at = r * T + offset + t;
                    ids[at] = t < prompt.Count ? prompt[t] : completion[t - prompt.Count];
                    positions[at] = t;
                    segments[at] = k + 1;
                }

                for (var j = 0; j < completion.Count; j++)
                {
                    scored.Add(r * T + offset + prompt.Count - 1 + j);
                    targets.Add(completion[j]);
                }

                offset += prompt.Count + completion.Count;
            }
        }

        var device = model.Device;
        var segment = tensor(segments, [R, T], device: device); // (R, T)
        var sameExample = segment.unsqueeze(2).eq(segment.unsqueeze(1)); // (R, T, T)
        var causal = ones(T, T, @bool, device).tril().unsqueeze(0); // (1, T, T)
        var mask = sameExample.logical_and(causal).unsqueeze(1); // (R, 1, T, T)
        var hidden = model.ForwardHidden(tensor(ids, [R, T], device: device), mask, tensor(positions, [R, T], device: device)); // (R, T, C)
        var C = hidden.shape[2];
        var completionHidden = hidden.reshape(R * T, C).index_select(0, tensor(scored.ToArray(), device: device)); // (N, C)
        var targetIds = tensor(targets.ToArray(), device: device); // (N)
        var chunk = (int)Math.Max(1, MaxLogitElements / model.Config.VocabSize);
        var total = zeros(1, float32, device); // (1)
        for (var start = 0; start < targets.Count; start += chunk)
        {
            var n = Math.Min(chunk, targets.Count - start);
            var logProbs = model.LmHead(completionHidden.narrow(0, start, n)).to(float32).log_softmax(-1); // (n, V)
            total = total + logProbs.gather(-1, targetIds.narrow(0, start, n).unsqueeze(-1)).sum(); // (1)
        }

        return total.squeeze(0).MoveToOuterDisposeScope(); // ()
    }

    private static int Length(LogProbRequest example) => example.PromptIds.Count + example.CompletionIds.Count;
}
