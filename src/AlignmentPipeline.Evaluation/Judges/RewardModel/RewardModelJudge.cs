using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;
using static TorchSharp.torch;

namespace AlignmentPipeline.Evaluation.Judges.RewardModel;

/// <summary>
/// Judges with a trained Bradley–Terry reward model (the <c>model/</c> of a <c>reward-model</c> stage): both responses
/// are scored as prompt + response, tokenized by the model's own tokenizer with the trainers' rule
/// (<see cref="ScalarRewardModel.Sequence"/>). The candidate wins when its reward exceeds the baseline's by more than the
/// tie margin, loses when it falls short by more, and ties otherwise. Items are scored one at a time (the model is
/// shared), each as one forward of its two sequences.
/// </summary>
public sealed class RewardModelJudge : IJudge, IDisposable
{
    private readonly ScalarRewardModel model;
    private readonly PromptCompletionEncoder encoder;
    private readonly string modelName;
    private readonly string contentHash;
    private readonly double tieMargin;
    private readonly Lock gate = new();
    private readonly List<double> candidateRewards = [];
    private readonly List<double> baselineRewards = [];

    private RewardModelJudge(ScalarRewardModel model, string contentHash, PromptCompletionEncoder encoder, string modelName, double tieMargin)
    {
        (this.model, this.contentHash, this.encoder, this.modelName, this.tieMargin) = (model, contentHash, encoder, modelName, tieMargin);
    }

    /// <summary>Loads the reward model and its tokenizer from a model folder.</summary>
    /// <param name="folder">A folder written by a <c>reward-model</c> stage (weights with <c>score.weight</c>, config.json, tokenizer).</param>
    /// <param name="modelName">How reports name the model (the stage name or path as configured).</param>
    /// <param name="tieMargin">Reward differences with absolute value at most this are ties. Default 0 (only equal rewards tie).</param>
    /// <param name="runtime">Device and threads; the model runs in float32.</param>
    public static RewardModelJudge Load(string folder, string modelName, double tieMargin, ModelRuntimeOptions runtime)
    {
        if (!(tieMargin >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tieMargin), tieMargin, "the tie margin must be zero or positive");
        }

        var tokenizer = TokenizerLoader.Load(folder);
        var (model, contentHash) = ScalarRewardModel.Load(folder, runtime);
        return new RewardModelJudge(model, contentHash, new PromptCompletionEncoder(tokenizer.Tokenizer, tokenizer.DefaultRules), modelName, tieMargin);
    }

    /// <inheritdoc />
    public string Name => $"reward_model:{modelName}";

    /// <inheritdoc />
    public Task<JudgeOutcome> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sequences = new[] { request.Candidate, request.Baseline }.Select(r => ScalarRewardModel.Sequence(encoder, request.Prompt, r)).ToArray();
        double candidate, baseline;
        lock (gate)
        {
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            var rewards = model.Rewards(sequences).to(float64).cpu().data<double>().ToArray(); // (2)
            (candidate, baseline) = (rewards[0], rewards[1]);
            candidateRewards.Add(candidate);
            baselineRewards.Add(baseline);
        }

        var difference = candidate - baseline;
        var verdict = double.IsNaN(difference) ? Verdict.Invalid
            : difference > tieMargin ? Verdict.Win
            : difference < -tieMargin ? Verdict.Loss
            : Verdict.Tie;
        var fields = new Dictionary<string, string>
        {
            ["candidate_reward"] = candidate.ToString("R", CultureInfo.InvariantCulture),
            ["baseline_reward"] = baseline.ToString("R", CultureInfo.InvariantCulture),
        };
        return Task.FromResult(new JudgeOutcome(verdict, fields, candidate, baseline));
    }

    /// <summary>
    /// Settings and the reward distributions so far: <c>mean_candidate_reward</c>, <c>mean_baseline_reward</c>,
    /// <c>mean_reward_difference</c>, and per side <c>{n, mean, sd, min, median, max}</c>.
    /// </summary>
    public JsonObject Describe()
    {
        lock (gate)
        {
            return new JsonObject
            {
                ["type"] = "reward_model",
                ["reward_model"] = modelName,
                ["reward_model_weights_hash"] = contentHash,
                ["tie_margin"] = tieMargin,
                ["mean_candidate_reward"] = Mean(candidateRewards),
                ["mean_baseline_reward"] = Mean(baselineRewards),
                ["mean_reward_difference"] = Mean(candidateRewards) - Mean(baselineRewards),
                ["candidate_rewards"] = Distribution(candidateRewards),
                ["baseline_rewards"] = Distribution(baselineRewards),
            };
        }
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => model.Dispose();

    private static double? Mean(List<double> values) => values.Count > 0 ? values.Average() : null;

    private static JsonObject Distribution(List<double> values)
    {
        if (values.Count == 0)
        {
            return new JsonObject { ["n"] = 0 };
        }

        var sorted = values.Order().ToArray();
        var mean = sorted.Average();
        var middle = sorted.Length / 2;
        return new JsonObject
        {
            ["n"] = sorted.Length,
            ["mean"] = mean,
            ["sd"] = sorted.Length > 1 ? Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / (sorted.Length - 1)) : 0,
            ["min"] = sorted[0],
            ["median"] = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
            ["max"] = sorted[^1],
        };
    }
}
