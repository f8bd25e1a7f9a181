namespace AlignmentPipeline.Training.Metrics;

/// <summary>Metric names as TRL logs them, so dashboards and habits carry over.</summary>
public static class MetricNames
{
    /// <summary>Optimizer steps completed (the x axis).</summary>
    public const string Step = "step";

    /// <summary>Fractional passes over the training data.</summary>
    public const string Epoch = "epoch";

    /// <summary>Mean training loss of the step.</summary>
    public const string Loss = "loss";

    /// <summary>Mean implicit reward of the chosen completions.</summary>
    public const string RewardsChosen = "rewards/chosen";

    /// <summary>Mean implicit reward of the rejected completions.</summary>
    public const string RewardsRejected = "rewards/rejected";

    /// <summary>Mean of chosen minus rejected reward.</summary>
    public const string RewardsMargins = "rewards/margins";

    /// <summary>Fraction of pairs whose chosen reward exceeds the rejected one.</summary>
    public const string RewardsAccuracies = "rewards/accuracies";

    /// <summary>Mean policy log-prob of the chosen completions.</summary>
    public const string LogpsChosen = "logps/chosen";

    /// <summary>Mean policy log-prob of the rejected completions.</summary>
    public const string LogpsRejected = "logps/rejected";

    /// <summary>Global gradient L2 norm before clipping.</summary>
    public const string GradNorm = "grad_norm";

    /// <summary>Learning rate used by the step.</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>Tokens processed per wall-clock second over the step.</summary>
    public const string TokensPerSecond = "tokens_per_second";
}
