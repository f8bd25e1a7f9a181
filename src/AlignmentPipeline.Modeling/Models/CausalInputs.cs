using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Models;

/// <summary>Position ids and the attention mask shared by every decoder-only model here.</summary>
internal static class CausalInputs
{
    /// <summary>
    /// Validates shapes and returns position ids (B, T) and a boolean attention mask (B, 1, T, S) that is true where a
    /// query may attend to a key, or null when there is no padding and either nothing is cached (SDPA's causal flag is
    /// exact) or there is one new token (it sees every key: no mask at all). Attention modules pass
    /// <c>is_causal = mask is null &amp;&amp; T &gt; 1</c>. A query always attends to itself, so rows of padding never become
    /// all-masked (which would give NaN). A 4-d
    /// <paramref name="attentionMask"/> (B, 1, T, S) is taken as that boolean mask itself and needs <paramref name="positionIds"/>;
    /// then the positions must be below <paramref name="maxLength"/>, while the row itself may be longer.
    /// </summary>
    public static (Tensor Positions, Tensor? Mask) Prepare(
        Tensor inputIds, Tensor? attentionMask, Tensor? positionIds, int past, int maxLength)
    {
        if (inputIds.ndim != 2)
        {
            throw new ArgumentException($"input ids must be (B, T); got shape [{string.Join(", ", inputIds.shape)}]");
        }

        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        var s = past + t;
        if (s > maxLength && attentionMask is not { ndim: 4 })
        {
            throw new ArgumentException($"sequence of {s} tokens ({past} cached + {t} new) exceeds the model's {maxLength}");
        }

        if (attentionMask is { ndim: not 4 } && (attentionMask.ndim != 2 || attentionMask.shape[0] != b || attentionMask.shape[1] != s))
        {
            throw new ArgumentException(
                $"attention mask must be (B, cached + T) = ({b}, {s}); got [{string.Join(", ", attentionMask.shape)}]");
        }

        if (positionIds is not null && (positionIds.ndim != 2 || positionIds.shape[0] != b || positionIds.shape[1] != t))
        {
            throw new ArgumentException($"position ids must be (B, T) = ({b}, {t}); got [{string.Join(", ", positionIds.shape)}]");
        }

        if (attentionMask is { ndim: 4 })
        {
            // An explicit (B, 1, T, S) boolean mask, e.g. block-diagonal causal for packed sequences: used as given.
            if (positionIds is null || attentionMask.shape[0] != b || attentionMask.shape[1] != 1 || attentionMask.shape[2] != t || attentionMask.shape[3] != s)
            {
                throw new ArgumentException(
                    $"a 4-d attention mask must be (B, 1, T, cached + T) = ({b}, 1, {t}, {s}) and needs position ids; got [{string.Join(", ", attentionMask.shape)}]");
            }

            // Positions, not the row length, must fit: a row may pack sequences that each fit (e.g. a prompt and two completions).
            var highest = positionIds.numel() == 0 ? 0 : positionIds.max().item<long>();
            if (highest >= maxLength)
            {
                throw new ArgumentException($"position id {highest} exceeds the model's {maxLength} positions");
            }

            return (positionIds, attentionMask.to(@bool));
        }

        var device = inputIds.device;
        var positions = positionIds
            ?? (attentionMask is null
                ? arange(past, s, int64, device).unsqueeze(0).expand(b, t) // (B, T)
                : (attentionMask.to(int64).cumsum(1) - 1).clamp_min(0).narrow(1, past, t)); // (B, T)

        var unpadded = attentionMask is null || attentionMask.all().item<bool>();
        if (unpadded && (past == 0 || t == 1))
        {
            return (positions, null);
        }

        var queryPos = arange(past, s, int64, device).unsqueeze(1); // (T, 1)
        var keyPos = arange(0, s, int64, device).unsqueeze(0); // (1, S)
        var allowed = keyPos.le(queryPos).unsqueeze(0); // (1, T, S)
        if (attentionMask is not null)
        {
            var self = keyPos.eq(queryPos).unsqueeze(0); // (1, T, S)
            allowed = allowed.logical_and(attentionMask.to(@bool).unsqueeze(1)).logical_or(self); // (B, T, S)
        }

        return (positions, allowed.unsqueeze(1)); // (B or 1, 1, T, S)
    }
}
