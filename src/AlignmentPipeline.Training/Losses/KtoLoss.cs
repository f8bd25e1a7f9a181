using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// KTO (TRL KTOTrainer <c>loss_type="kto"</c>). Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic
/// Optimization", Eq. 7: with r = log(π/π_ref) and reference point z₀ = max(0, mean(log π(y'|x) − log π_ref(y'|x)))
/// over mismatched pairs (detached, clamped at 0 as in TRL),
/// desirable: L = λ_D·(1 − σ(β·(r − z₀))), undesirable: L = λ_U·(1 − σ(β·(z₀ − r))).
/// Losses and rewards β·r keep the input order (TRL concatenates desirable then undesirable; the mean is the same).
/// </summary>
internal sealed class KtoLoss(KtoLossOptions options)
{
    /// <summary>Per-example losses (B), detached rewards β·r (B) and the KL reference point z₀ (scalar tensor).</summary>
    public KtoLossOutput Compute(KtoLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var beta = options.Beta;
        var kl = logps.KlPolicy is not null && logps.KlReference is not null
            ? (logps.KlPolicy - logps.KlReference).mean().detach().clamp_min(0) // ()
            : torch.zeros([], logps.Policy.dtype); // ()
        var logRatios = logps.Policy - logps.Reference; // (B)
        var desirableLosses = options.DesirableWeight * (1 - torch.sigmoid(beta * (logRatios - kl))); // (B)
        var undesirableLosses = options.UndesirableWeight * (1 - torch.sigmoid(beta * (kl - logRatios))); // (B)
        var losses = torch.where(logps.IsDesirable, desirableLosses, undesirableLosses); // (B)
        return new KtoLossOutput(
            losses.MoveToOuterDisposeScope(),
            (beta * logRatios).detach().MoveToOuterDisposeScope(),
            kl.MoveToOuterDisposeScope());
    }
}
