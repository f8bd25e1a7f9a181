using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using TorchSharp;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// Resumable training state in the stage's output folder: <c>checkpoints/step-NNNNNN/</c> holds the trainable weights
/// (every parameter in full fine-tuning, only the adapters with LoRA: frozen weights are reloaded from their source), the
/// AdamW state, the metrics logged so far and <c>state.json</c> (step = data position, torch generator, BCO reward mean).
/// Every file is published atomically and <c>state.json</c> last, so a folder without it is ignored.
/// </summary>
internal static class TrainingCheckpoints
{
    private const string Prefix = "checkpoints/";
    private const string StateFile = "state.json";
    private const string WeightsMagic = "AlignmentPipeline.Weights/1";

    /// <summary>The folder of the checkpoint taken after <paramref name="step"/> steps, relative to the stage output.</summary>
    public static string Folder(long step) => $"{Prefix}step-{step:D6}";

    /// <summary>Writes the checkpoint after <paramref name="step"/> completed steps.</summary>
    public static async Task SaveAsync(
        StageContext context, long step, ICausalLanguageModel model, AdamW optimizer, RunningRewardMean? rewardMean,
        string metricsFile, CancellationToken cancellationToken = default)
    {
        var folder = Folder(step);
        await WriteAsync(context, $"{folder}/weights.bin", stream => SaveWeights(model, stream), cancellationToken);
        await WriteAsync(context, $"{folder}/optimizer.bin", optimizer.Save, cancellationToken);
        await context.Storage.WriteAllBytesAsync(context.OutputPath($"{folder}/metrics.jsonl"), await File.ReadAllBytesAsync(metricsFile, cancellationToken), cancellationToken);
        byte[] rng;
        using (var scope = torch.NewDisposeScope())
        {
            rng = torch.get_rng_state().data<byte>().ToArray();
        }

        var state = new JsonObject
        {
            ["step"] = step,
            ["torch_rng"] = Convert.ToBase64String(rng),
            ["reward_mean"] = rewardMean?.Mean ?? 0,
            ["reward_mean_count"] = rewardMean?.Count ?? 0,
        };
        await context.Storage.WriteJsonAsync(context.OutputPath($"{folder}/{StateFile}"), state, cancellationToken);
    }

    /// <summary>The step of the newest complete checkpoint in this stage's output folder, or null.</summary>
    public static async Task<long?> LatestAsync(StageContext context, CancellationToken cancellationToken = default)
    {
        long? latest = null;
        var prefix = context.OutputPath(Prefix);
        await foreach (var entry in context.Storage.ListAsync(prefix, cancellationToken))
        {
            var relative = entry.Path[prefix.Length..];
            if (relative.EndsWith("/" + StateFile, StringComparison.Ordinal) && relative.StartsWith("step-", StringComparison.Ordinal)
                && long.TryParse(relative["step-".Length..relative.IndexOf('/')], out var step))
            {
                latest = Math.Max(latest ?? step, step);
            }
        }

        return latest;
    }

    /// <summary>
    /// Restores the checkpoint after <paramref name="step"/> steps into an already built model and optimizer (same
    /// shapes), the torch generator and the BCO mean (when the objective has one), and copies its metrics into <paramref name="metricsFile"/>.
    /// </summary>
    public static async Task RestoreAsync(
        StageContext context, long step, ICausalLanguageModel model, AdamW optimizer, RunningRewardMean? rewardMean,
        string metricsFile, CancellationToken cancellationToken = default)
    {
        var folder = Folder(step);
        var state = await context.Storage.ReadJsonAsync(context.OutputPath($"{folder}/{StateFile}"), cancellationToken);
        if (state["step"]!.GetValue<long>() != step)
        {
            throw new InvalidDataException($"{folder}/{StateFile} records step {state["step"]}, not {step}");
        }

        await using (var weights = await context.Storage.OpenReadAsync(context.OutputPath($"{folder}/weights.bin"), cancellationToken))
        {
            LoadWeights(model, weights);
        }

        await using (var moments = await context.Storage.OpenReadAsync(context.OutputPath($"{folder}/optimizer.bin"), cancellationToken))
        {
            optimizer.Load(moments);
        }

        await File.WriteAllBytesAsync(metricsFile, await context.Storage.ReadAllBytesAsync(context.OutputPath($"{folder}/metrics.jsonl"), cancellationToken), cancellationToken);
        using (var scope = torch.NewDisposeScope())
        {
            torch.set_rng_state(torch.tensor(Convert.FromBase64String(state["torch_rng"]!.GetValue<string>()), torch.ScalarType.Byte));
        }

        rewardMean?.Restore(state["reward_mean"]!.GetValue<double>(), state["reward_mean_count"]!.GetValue<long>());
    }

    private static async Task WriteAsync(StageContext context, string relative, Action<Stream> write, CancellationToken cancellationToken)
    {
        await using var pending = await context.Storage.CreateAsync(context.OutputPath(relative), cancellationToken);
        using (var buffer = new MemoryStream())
        {
            write(buffer);
            buffer.Position = 0;
            await buffer.CopyToAsync(pending.Stream, cancellationToken);
        }

        await pending.CommitAsync(cancellationToken);
    }

    private static void SaveWeights(ICausalLanguageModel model, Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        var parameters = Trainable(model);
        writer.Write(WeightsMagic);
        writer.Write(parameters.Count);
        foreach (var (name, parameter) in parameters)
        {
            writer.Write(name);
            parameter.Save(writer);
        }
    }

    private static void LoadWeights(ICausalLanguageModel model, Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        var parameters = Trainable(model);
        if (reader.ReadString() is var magic && magic != WeightsMagic)
        {
            throw new InvalidDataException($"not a weights checkpoint (header '{magic}', expected '{WeightsMagic}')");
        }

        var count = reader.ReadInt32();
        if (count != parameters.Count)
        {
            throw new InvalidDataException($"the checkpoint holds {count} parameters but the model has {parameters.Count} trainable ones");
        }

        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in parameters)
        {
            var saved = reader.ReadString();
            if (saved != name)
            {
                throw new InvalidDataException($"the checkpoint has parameter '{saved}' where the model has '{name}'");
            }

            parameter.Load(reader);
        }
    }

    /// <summary>The parameters training changes (requires_grad), each once, in the model's order.</summary>
    private static List<(string Name, TorchSharp.Modules.Parameter Parameter)> Trainable(ICausalLanguageModel model) =>
        model.NamedParameters().Where(p => p.Parameter.requires_grad).ToList();
}
