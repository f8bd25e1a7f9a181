using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Training.Tests.Trainers;

[Collection(nameof(TrainerCollection))]
public sealed class SftStageTests
{
    [Fact]
    public async Task Sft_from_scratch_lowers_the_loss_and_publishes_a_loadable_model_with_its_tokenizer()
    {
        using var h = new TrainerHarness();
        var record = await h.RunAsync(TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft(steps: 30));
        var output = await h.OutputAsync(record, "sft");
        foreach (var file in new[] { "model/config.json", "model/model.safetensors", "model/byte_tokenizer.json", "metrics.jsonl", "plots/loss.png" })
        {
            Assert.Contains(file, output.Files);
        }

        var lines = File.ReadAllLines(Path.Combine(h.Storage.Root, output.Path("metrics.jsonl")));
        Assert.Equal(30, lines.Length);
        var losses = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();
        // A fresh byte-level model starts near ln(259) ≈ 5.56 nats per token; 30 steps at 3e-3 must cut that clearly.
        Assert.InRange(losses[0], 5.0, 6.2);
        Assert.True(losses[^1] < losses[0] - 1.5, $"loss {losses[0]:0.000} → {losses[^1]:0.000}");

        var folder = await h.ModelFolderAsync(record, "sft");
        using var model = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model;
        Assert.Equal(259, model.Config.VocabSize);
        Assert.Equal("byte", TokenizerLoader.Load(folder).Format);
        var stats = await h.StatsAsync(record, "sft");
        Assert.Equal(48, stats["rows_in"]!.GetValue<long>());
        Assert.Equal(48, stats["rows_out"]!.GetValue<long>());
    }

    [Fact]
    public async Task Random_completion_is_a_seeded_balanced_pick_per_pair()
    {
        using var h = new TrainerHarness();
        var record = await h.RunAsync(TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft(steps: 1) + TrainingPipelines.Sft("reseeded", steps: 1, seed: 43));
        var stats = await h.StatsAsync(record, "sft");
        var (chosen, rejected) = (stats["trained_on_chosen"]!.GetValue<long>(), stats["trained_on_rejected"]!.GetValue<long>());
        Assert.Equal(48, chosen + rejected);
        // Binomial(48, ½): 14…34 holds with probability 0.998; the seed fixes the draw, so this never flickers.
        Assert.InRange(chosen, 14, 34);
        var reseeded = await h.StatsAsync(record, "reseeded");
        Assert.NotEqual(chosen, reseeded["trained_on_chosen"]!.GetValue<long>()); // another seed, another draw (checked once for 42 vs 43)
    }

    [Fact]
    public async Task A_stage_stopped_after_a_checkpoint_resumes_to_weights_bitwise_equal_to_an_uninterrupted_run()
    {
        using var straight = new TrainerHarness();
        var stages = TrainingPipelines.Ingest(straight.DataFile) + TrainingPipelines.Sft(steps: 12, checkpointEvery: 4);
        var uninterrupted = await straight.RunAsync(stages);
        var expected = File.ReadAllBytes(Path.Combine(await straight.ModelFolderAsync(uninterrupted, "sft"), "model.safetensors"));

        using var interrupted = new TrainerHarness();
        using var stop = new CancellationTokenSource();
        var error = await Record.ExceptionAsync(() => interrupted.RunAsync(stages, line =>
        {
            if (line.Contains("checkpoint checkpoints/step-000004 saved"))
            {
                stop.Cancel(); // Ctrl+C right after the first checkpoint: steps 5.. are lost
            }
        }, stop.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(error);

        var resumed = await interrupted.RunAsync(stages);
        Assert.Contains("resuming from checkpoint checkpoints/step-000004", interrupted.Log.ToString());
        var actual = File.ReadAllBytes(Path.Combine(await interrupted.ModelFolderAsync(resumed, "sft"), "model.safetensors"));
        Assert.Equal(expected, actual);
        var output = await interrupted.OutputAsync(resumed, "sft");
        Assert.Equal(12, File.ReadAllLines(Path.Combine(interrupted.Storage.Root, output.Path("metrics.jsonl"))).Length);
    }
}
