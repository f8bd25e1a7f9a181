using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Training.Tests.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Lora;

/// <summary>An sft stage with LoRA on a GPT-2 model given by path: checkpoints, resume and the published merged model.</summary>
[Collection(nameof(TrainerCollection))]
public sealed class Gpt2LoraStageTests
{
    private const string Lora = "lora: { rank: 4, alpha: 8, target_modules: [c_attn, c_proj, c_fc] }";

    private static string Stages(string dataFile, string init) => TrainingPipelines.Ingest(dataFile) + $$"""
          sft_lora:
            kind: sft
            input: ingest
            init: "{{init}}"
            tokenizer: byte
            max_steps: 6
            batch_size: 8
            learning_rate: 0.01
            checkpoint_every: 3
            {{Lora}}

        """;

    [Fact]
    public async Task Sft_with_lora_on_gpt2_checkpoints_only_the_adapters_and_resumes_to_bitwise_equal_weights()
    {
        using var temp = new TempDirectory("align-lora-gpt2-init");
        var init = Path.Combine(temp.Path, "gpt2");
        using (var model = TinyGpt2.Create())
        {
            model.Save(init);
        }

        using var straight = new TrainerHarness();
        var stages = Stages(straight.DataFile, init);
        var uninterrupted = await straight.RunAsync(stages);
        var expected = File.ReadAllBytes(Path.Combine(await straight.ModelFolderAsync(uninterrupted, "sft_lora"), "model.safetensors"));
        Assert.Contains("sft_lora: LoRA rank 4, α 8 on 8 projections", straight.Log.ToString());

        using var interrupted = new TrainerHarness();
        using var stop = new CancellationTokenSource();
        var error = await Record.ExceptionAsync(() => interrupted.RunAsync(stages, line =>
        {
            if (line.Contains("sft_lora: checkpoint checkpoints/step-000003 saved"))
            {
                stop.Cancel();
            }
        }, stop.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        var checkpoint = Directory.GetFiles(interrupted.Storage.Root, "weights.bin", SearchOption.AllDirectories).Single(f => f.Contains("sft_lora"));

        var resumed = await interrupted.RunAsync(stages);
        Assert.Contains("sft_lora: resuming from checkpoint checkpoints/step-000003", interrupted.Log.ToString());
        var published = await interrupted.ModelFolderAsync(resumed, "sft_lora");
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(published, "model.safetensors")));

        // Adapters A (4, in) and B (out, 4) per layer: c_attn 64 + 192, attn.c_proj 64 + 64, c_fc 64 + 256, mlp.c_proj
        // 256 + 64 = 1024 floats; 2 layers = 2048 floats = 8 KiB. The frozen model (~11k floats) is not in the checkpoint.
        var checkpointBytes = new FileInfo(checkpoint).Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"adapter checkpoint {checkpointBytes} bytes, merged model {expected.Length} bytes");
        Assert.InRange(checkpointBytes, 4 * 2048, 4 * 2048 + 2048);

        // The published model is a plain GPT-2: every projection the adapters covered moved, nothing else did.
        using var start = ModelLoader.Load(init, ModelRuntimeOptions.Cpu).Model;
        using var trained = ModelLoader.Load(published, ModelRuntimeOptions.Cpu).Model;
        var before = start.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Equal(before.Keys, trained.NamedParameters().Select(p => p.Name));
        foreach (var (name, parameter) in trained.NamedParameters())
        {
            var adapted = name.EndsWith(".weight", StringComparison.Ordinal) && (name.Contains(".c_attn.") || name.Contains(".c_proj.") || name.Contains(".c_fc."));
            Assert.True(adapted != before[name].Equals(parameter), $"{name}: {(adapted ? "unchanged though adapted" : "changed though frozen")}");
        }
    }
}
