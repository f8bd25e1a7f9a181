using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Training.Lora;
using AlignmentPipeline.Training.Optimization;
using AlignmentPipeline.Training.Tests.Trainers;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Tests.Lora;

/// <summary>Runs with the trainer tests, alone: models here draw from torch's process-wide generator.</summary>
[Collection(nameof(TrainerCollection))]
public sealed class LoraAdapterTests
{
    private static readonly LoraOptions Options = new() { Rank = 4, Alpha = 8, TargetModules = ["q_proj", "v_proj", "down_proj"] };

    [Fact]
    public void Attached_adapters_leave_the_logits_bitwise_equal_to_the_base_model_at_step_zero()
    {
        using var model = TinyLlama.Create();
        using var scope = NewDisposeScope();
        var tokens = TinyLlama.Tokens(3, 12); // (B, T)
        var before = model.Forward(tokens); // (B, T, V)
        using var adapters = LoraAdapters.Attach(model, Options);
        var after = model.Forward(tokens); // (B, T, V)

        Assert.Equal(2 * 3, adapters.Targets.Count); // 2 layers × (q_proj, v_proj, down_proj)
        Assert.True(before.Equals(after), "B = 0, so W₀x + (α/r)·B·A·x must be W₀x exactly");
    }

    [Fact]
    public void Merged_export_loads_without_lora_code_and_reproduces_the_adapter_forward_within_1e5()
    {
        using var model = TinyLlama.Create();
        using var temp = new TempDirectory("align-lora");
        using var scope = NewDisposeScope();
        var tokens = TinyLlama.Tokens(2, 10); // (B, T)
        var baseLogits = model.Forward(tokens); // (B, T, V)
        var adapters = LoraAdapters.Attach(model, Options);
        using (no_grad())
        {
            // A trained B is not zero: give every B random entries so the adapters change the function.
            foreach (var (name, parameter) in model.NamedParameters().Where(p => p.Name.Contains("lora_B")))
            {
                parameter.copy_(randn(parameter.shape, generator: new Generator(5)) * 0.3);
            }
        }

        var adapted = model.Forward(tokens); // (B, T, V)
        adapters.Merge();
        var folder = Path.Combine(temp.Path, "merged");
        model.Save(folder);
        using var loaded = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model;
        var reloaded = loaded.Forward(tokens); // (B, T, V)

        var adapterEffect = (adapted - baseLogits).abs().max().item<float>();
        var difference = (reloaded - adapted).abs().max().item<float>();
        TestContext.Current.TestOutputHelper?.WriteLine($"adapter effect {adapterEffect:E3}, merged vs adapter forward {difference:E3}");
        Assert.True(adapterEffect > 1e-2, $"the adapters must change the logits for the comparison to mean something ({adapterEffect:E3})");
        Assert.True(difference <= 1e-5, $"merged model differs from the adapter forward by {difference:E3}");
        Assert.DoesNotContain(loaded.NamedParameters(), p => p.Name.Contains("lora"));
        Assert.Equal(model.NamedParameters().Select(p => p.Name), loaded.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Only_the_adapters_are_optimised_and_only_they_change_in_training_steps()
    {
        using var model = TinyLlama.Create();
        using var adapters = LoraAdapters.Attach(model, Options);
        using var optimizer = AdamW.Create(model.NamedParameters(), new AdamWOptions());
        var frozen = model.NamedParameters().Where(p => !p.Name.Contains("lora")).Select(p => (p.Name, Value: p.Parameter.detach().clone())).ToList();
        var initial = model.NamedParameters().Where(p => p.Name.Contains("lora")).Select(p => (p.Name, Value: p.Parameter.detach().clone())).ToList();

        Assert.Equal(2 * 3 * 2, optimizer.Parameters.Count); // A and B of 6 targets
        Assert.All(optimizer.DecayedNames.Concat(optimizer.UndecayedNames), name => Assert.Matches(@"\.lora_[AB]\.weight$", name));
        for (var step = 0; step < 2; step++)
        {
            // Two steps: after the first, B ≠ 0, so A receives gradient too.
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var tokens = TinyLlama.Tokens(2, 9, seed: 20 + step); // (B, T)
            var logits = model.Forward(tokens.narrow(1, 0, 8)); // (B, T-1, V)
            var loss = nn.functional.cross_entropy(logits.reshape(-1, TinyLlama.Vocab), tokens.narrow(1, 1, 8).reshape(-1)); // ()
            loss.backward();
            optimizer.Step(1e-2);
        }

        var current = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.All(frozen, f => Assert.True(f.Value.Equals(current[f.Name]), $"frozen {f.Name} changed"));
        Assert.All(initial, a => Assert.False(a.Value.Equals(current[a.Name]), $"adapter {a.Name} did not change"));
    }

    [Fact]
    public void Adapter_dropout_acts_in_train_mode_only()
    {
        using var model = TinyLlama.Create();
        using var adapters = LoraAdapters.Attach(model, Options with { Dropout = 0.5 });
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var (_, parameter) in model.NamedParameters().Where(p => p.Name.Contains("lora_B")))
            {
                parameter.copy_(randn(parameter.shape, generator: new Generator(5)) * 0.3);
            }
        }

        var tokens = TinyLlama.Tokens(2, 10); // (B, T)
        model.train();
        var (train1, train2) = (model.Forward(tokens), model.Forward(tokens)); // (B, T, V) each
        model.eval();
        var (eval1, eval2) = (model.Forward(tokens), model.Forward(tokens)); // (B, T, V) each

        Assert.False(train1.Equals(train2), "two training forwards must drop different adapter inputs");
        Assert.True(eval1.Equals(eval2), "evaluation must not drop anything");
    }

    [Fact]
    public void A_target_that_names_no_block_projection_is_a_user_error_listing_the_ones_there_are()
    {
        using var model = TinyLlama.Create();
        var error = Assert.Throws<UserErrorException>(() => LoraAdapters.Attach(model, new LoraOptions { TargetModules = ["q_proj", "qkv_proj", "lm_head"] }));

        Assert.Contains("'qkv_proj', 'lm_head'", error.Message);
        Assert.Contains("choose from down_proj, gate_proj, k_proj, o_proj, q_proj, up_proj, v_proj", error.Message);
        Assert.All(model.NamedParameters(), p => Assert.True(p.Parameter.requires_grad)); // nothing was frozen
    }
}
