using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// A trainer's side of <see cref="TrainingLoop{TExample}"/>: how a micro-batch is scored and what a step and an
/// evaluation report. The loop owns everything else (order, schedule, accumulation, clip and step, logging, checkpoints).
/// </summary>
/// <typeparam name="TExample">One training example as the trainer encodes it.</typeparam>
internal interface ITrainingObjective<TExample>
{
    /// <summary>Training state beyond weights and optimizer that checkpoints carry (the BCO reward mean); none by default.</summary>
    RunningRewardMean? State => null;

    /// <summary>Metric evaluation logs its accuracy under (without the <c>eval_</c> prefix), e.g. <c>rewards/accuracies</c>.</summary>
    string AccuracyMetric => MetricNames.RewardsAccuracies;

    /// <summary>
    /// What the run trains on, for the log line that opens it, e.g. <c>sigmoid on 36 pairs (12 held out), 30 steps of 8
    /// (8 × 1 accumulation)</c> (<see cref="LoopSettings.DescribeSteps"/>).
    /// </summary>
    string Describe(IReadOnlyList<TExample> train, int totalSteps);

    /// <summary>Prompt and completion tokens one example forwards (for <c>tokens_per_second</c>).</summary>
    int Tokens(TExample example);

    /// <summary>Starts an optimizer step over <paramref name="batch"/> (every micro-batch of it): resets the step's metrics.</summary>
    void BeginStep(IReadOnlyList<TExample> batch);

    /// <summary>
    /// Scores <paramref name="micro"/> in train mode and returns its share of the step's loss (), in the caller's
    /// dispose scope, for the loop to backward; adds the micro-batch's metrics to the step's.
    /// </summary>
    Tensor MicroBatchLoss(IReadOnlyList<TExample> micro);

    /// <summary>
    /// The step's loss and its metrics by TRL name (logged between <c>loss</c> and <c>grad_norm</c>), given the sum of the
    /// micro-batch losses as the loop read them back.
    /// </summary>
    (double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) EndStep(double microBatchLossSum);

    /// <summary>Sees each logged step (step 1's sanity check, plateau warnings); nothing by default.</summary>
    void Observe(StepOutcome outcome, IReadOnlyList<TExample> batch)
    {
    }

    /// <summary>Whether there are held-out examples to evaluate on; none by default.</summary>
    bool HasEval => false;

    /// <summary>Metrics over the held-out examples without gradients, named <c>eval_…</c>, <c>eval_loss</c> included.</summary>
    IReadOnlyDictionary<string, double> Evaluate() => throw new InvalidOperationException("this objective has no held-out examples");
}
