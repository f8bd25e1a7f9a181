using System.Text.Json;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Training.Stages;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>The trainer options device/dtype, lora and packing, run through real sft and dpo stages on tiny models.</summary>
[Collection(nameof(TrainerCollection))]
public sealed class TrainerFeatureStageTests
{
    private const string Lora = "lora: { rank: 4, alpha: 8, target_modules: [q_proj, v_proj] }";

    private static string Upstream(TrainerHarness h) => TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft(steps: 4);

    /// <summary>An sft stage starting from the upstream sft model, with extra option lines.</summary>
    private static string SftFromUpstream(string name, string extra) => $$"""
          {{name}}:
            kind: sft
            input: ingest
            init: sft
            max_steps: 6
            batch_size: 8
            learning_rate: 0.01
            checkpoint_every: 3
            {{extra}}

        """;

    [Fact]
    public async Task Dpo_with_lora_starts_at_ln2_and_publishes_a_plain_model_changed_only_in_the_adapted_projections()
    {
        using var h = new TrainerHarness();
        var record = await h.RunAsync(Upstream(h) + TrainingPipelines.Reference
            + TrainingPipelines.Dpo("dpo_lora", $"max_steps: 3\n    learning_rate: 0.01\n    {Lora}"));

        var stats = await h.StatsAsync(record, "dpo_lora");
        // B = 0 at step 0, so the policy is the reference: every implicit reward is 0 and −log σ(0) = ln 2.
        Assert.Equal(Math.Log(2), stats["first_step_loss"]!.GetValue<double>(), 1e-5);
        Assert.Contains("dpo_lora: LoRA rank 4, α 8 on 4 projections", h.Log.ToString());
        Assert.Contains("dpo_lora: training on cpu", h.Log.ToString(), StringComparison.OrdinalIgnoreCase);

        using var start = ModelLoader.Load(await h.ModelFolderAsync(record, "sft"), ModelRuntimeOptions.Cpu).Model;
        using var trained = ModelLoader.Load(await h.ModelFolderAsync(record, "dpo_lora"), ModelRuntimeOptions.Cpu).Model;
        var before = start.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Equal(before.Keys, trained.NamedParameters().Select(p => p.Name)); // the same keys: no lora_A/lora_B left
        foreach (var (name, parameter) in trained.NamedParameters())
        {
            var adapted = name.EndsWith("q_proj.weight", StringComparison.Ordinal) || name.EndsWith("v_proj.weight", StringComparison.Ordinal);
            Assert.True(adapted != before[name].Equals(parameter), $"{name}: {(adapted ? "unchanged though adapted" : "changed though frozen")}");
        }
    }

    [Fact]
    public async Task Sft_with_lora_checkpoints_only_the_adapters_and_resumes_to_bitwise_equal_weights()
    {
        using var straight = new TrainerHarness();
        var stages = Upstream(straight) + SftFromUpstream("sft_lora", Lora);
        var uninterrupted = await straight.RunAsync(stages);
        var expected = File.ReadAllBytes(Path.Combine(await straight.ModelFolderAsync(uninterrupted, "sft_lora"), "model.safetensors"));

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
        var actual = File.ReadAllBytes(Path.Combine(await interrupted.ModelFolderAsync(resumed, "sft_lora"), "model.safetensors"));
        Assert.Equal(expected, actual);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(await straight.ModelFolderAsync(uninterrupted, "sft"), "model.safetensors")), actual);
        // Adapters of q_proj and v_proj in 2 layers: 2 × 2 × (4×32 + 32×4) = 1024 floats; the model has ~40k.
        var checkpointBytes = new FileInfo(checkpoint).Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"adapter checkpoint {checkpointBytes} bytes, merged model {actual.Length} bytes");
        Assert.InRange(checkpointBytes, 4 * 1024, 4 * 1024 + 2048);
    }

    [Fact]
    public async Task Packed_sft_takes_the_same_first_step_as_unpacked_sft()
    {
        using var h = new TrainerHarness();
        var record = await h.RunAsync(Upstream(h) + SftFromUpstream("unpacked", "") + SftFromUpstream("packed", "packing: true"));

        var unpacked = await FirstStepAsync(h, record, "unpacked");
        var packed = await FirstStepAsync(h, record, "packed");
        Assert.Contains("packed: SFT on 48 examples, 6 steps of 8 (8 × 1 accumulation, packed into rows of up to 64 tokens)", h.Log.ToString());
        Assert.Equal(unpacked.GetProperty("loss").GetDouble(), packed.GetProperty("loss").GetDouble(), 1e-5);
        Assert.Equal(unpacked.GetProperty("grad_norm").GetDouble(), packed.GetProperty("grad_norm").GetDouble(), 1e-5);
    }

    [Fact]
    public async Task Device_cuda_without_cuda_fails_before_loading_a_model_with_a_user_error_naming_the_device()
    {
        if (torch.cuda.is_available())
        {
            Assert.Skip("this machine has CUDA; the test pins the error on machines without it");
        }

        using var h = new TrainerHarness();
        await h.RunAsync(Upstream(h));
        var loads = ModelLoader.LoadCount;
        var error = await Record.ExceptionAsync(() => h.RunAsync(Upstream(h) + SftFromUpstream("on_gpu", "device: cuda")));

        var user = Assert.IsType<UserErrorException>(error is AggregateException aggregate ? aggregate.Flatten().InnerException : error, exactMatch: false);
        Assert.Equal("on_gpu: device 'cuda' was requested but CUDA is not available; use 'auto' or 'cpu'", user.Message);
        Assert.Equal(loads, ModelLoader.LoadCount);
        Assert.Equal(DeviceType.CPU, new SftOptions().CheckedRuntime("sft").ResolveDevice().type); // auto resolves to the CPU here
    }

    [Fact]
    public void Bfloat16_with_device_auto_on_a_machine_without_cuda_is_a_user_error_naming_dtype()
    {
        if (torch.cuda.is_available())
        {
            Assert.Skip("this machine has CUDA, where auto + bfloat16 is valid");
        }

        var options = new DpoOptions { Dtype = "bfloat16" };
        Assert.Empty(options.Validate()); // valid as configuration: auto may find CUDA where the stage runs

        var error = Assert.Throws<UserErrorException>(() => options.CheckedRuntime("dpo"));
        Assert.Equal("dpo: dtype bfloat16 needs CUDA but device 'auto' resolved to the CPU; set 'dtype: float32' or run where CUDA is available", error.Message);
    }

    [Fact]
    public void Bfloat16_on_the_cpu_is_a_config_error_naming_dtype()
    {
        var stages = """
              ingest: { kind: ingest, inputs: ["p.jsonl"], format: canonical }
              sft:
                kind: sft
                input: ingest
                from_scratch: { dim: 32 }
                tokenizer: byte
                device: cpu
                dtype: bfloat16

            """;
        var error = Assert.ThrowsAny<ConfigException>(() =>
            new PipelineLoader(new StageRegistry([.. Data.DataStageKinds.All, .. TrainingStageKinds.All])).Load($"name: t\nstages:\n{stages}", "p.yaml"));

        Assert.Contains("'dtype': bfloat16 needs device cuda", error.Message);
    }

    [Fact]
    public void Shared_trainer_options_keep_every_yaml_key_and_default_of_sft_and_dpo()
    {
        string[] shared =
        [
            "max_length", "learning_rate", "lr_scheduler_type", "warmup_steps", "max_steps", "epochs", "batch_size",
            "gradient_accumulation_steps", "max_grad_norm", "optimizer", "seed", "checkpoint_every", "threads", "device", "dtype", "lora",
        ];
        Assert.Equal(
            new[] { "init", "from_scratch", "tokenizer", "completion", "packing" }.Concat(shared).Order(),
            OptionProperty.Of(typeof(SftOptions)).Select(p => p.Key).Order());
        Assert.Equal(
            new[] { "init", "reference", "tokenizer", "loss", "live_reference", "eval_fraction", "eval_every" }.Concat(shared).Order(),
            OptionProperty.Of(typeof(DpoOptions)).Select(p => p.Key).Order());
        Assert.Equal(2e-5, new SftOptions().LearningRate);
        Assert.Equal(5e-7, new DpoOptions().LearningRate);
        Assert.Equal(5e-7, new DpoOptions { Seed = 1 }.LearningRate);
    }

    private static async Task<JsonElement> FirstStepAsync(TrainerHarness h, Core.Runs.RunRecord record, string stage)
    {
        var output = await h.OutputAsync(record, stage);
        var first = File.ReadLines(Path.Combine(h.Storage.Root, output.Path("metrics.jsonl"))).First();
        return JsonDocument.Parse(first).RootElement.Clone();
    }
}
