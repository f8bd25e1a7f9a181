namespace AlignmentPipeline.Training.Losses;

/// <summary>The preference losses by TRL <c>loss_type</c> name.</summary>
internal static class PreferenceLossRegistry
{
    /// <summary>Every known loss, in documentation order.</summary>
    public static IReadOnlyList<PreferenceLossDescriptor> All { get; } =
    [
        new("sigmoid", true, true, "DPO, Rafailov et al. 2023 (conservative DPO with label_smoothing)",
            (o, _) => new SigmoidLoss(o.Beta, o.LabelSmoothing)),
        new("robust", true, true, "Robust DPO, Chowdhury et al. 2024",
            (o, _) => new RobustLoss(o.Beta, o.LabelSmoothing)),
        new("ipo", true, false, "IPO, Azar et al. 2023",
            (o, _) => new IpoLoss(o.Beta)),
        new("hinge", true, false, "SLiC-HF, Zhao et al. 2023",
            (o, _) => new HingeLoss(o.Beta)),
        new("bco_pair", true, false, "BCO, Jung et al. 2024",
            (o, mean) => new BcoPairLoss(o.Beta, mean)),
        new("apo_zero", true, false, "APO-zero, D'Oosterlinck et al. 2024",
            (o, _) => new ApoZeroLoss(o.Beta)),
        new("sppo_hard", true, false, "SPPO (hard labels), Wu et al. 2024",
            (o, _) => new SppoHardLoss(o.Beta)),
        new("nca_pair", true, false, "NCA, Chen et al. 2024",
            (o, _) => new NcaPairLoss(o.Beta)),
        new("sft", false, false, "NLL of the chosen completion (RPO, Pang et al. 2024)",
            (o, _) => new SftLoss(o.Beta)),
        new("simpo", false, true, "SimPO, Meng et al. 2024 (reference-free)",
            (o, _) => new SimPoLoss(o.Beta, o.SimpoGamma, o.LabelSmoothing)),
        new("orpo", false, false, "ORPO, Hong et al. 2024 (reference-free)",
            (o, _) => new OrpoLoss(o.Beta, o.OrpoLambda)),
    ];

    /// <summary>The descriptor for <paramref name="name"/> (exact, lower-case TRL spelling), or null.</summary>
    public static PreferenceLossDescriptor? Find(string name) => All.FirstOrDefault(d => d.Name == name);

    /// <summary>
    /// Builds the objective for validated options. <paramref name="rewardMean"/> carries a checkpointed BCO state;
    /// a fresh one is used when it is null. Throws when the options have problems.
    /// </summary>
    public static WeightedPreferenceLoss Create(PreferenceLossOptions options, RunningRewardMean? rewardMean = null)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "Invalid loss options:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => $"  {p.Key}: {p.Message}")),
                nameof(options));
        }
        var mean = rewardMean ?? new RunningRewardMean();
        var weights = options.Weights ?? options.Types.Select(_ => 1.0).ToArray();
        var terms = options.Types.Select((name, i) => (Find(name)!.Create(options, mean), weights[i])).ToArray();
        return new WeightedPreferenceLoss(terms, mean);
    }
}
