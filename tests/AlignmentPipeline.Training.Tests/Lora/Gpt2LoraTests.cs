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

/// <summary>LoRA on GPT-2's Conv1D projections (weights stored (in, out)), with the guarantees the Llama adapters have.</summary>
[Collection(nameof(TrainerCollection))]
public sealed class Gpt2LoraTests
{
    private static readonly LoraOptions AllProjections = new() { Rank = 4, Alpha = 8, TargetModules = ["c_attn", "c_proj", "c_fc"] };

    [Fact]
    public void Adapters_on_c_attn_c_proj_and_c_fc_leave_the_logits_bitwise_equal_to_the_base_model_at_step_zero()
    {
        using var model = TinyGpt2.Create();
        using var scope = NewDisposeScope();
        var tokens = TinyGpt2.Tokens(3, 12); // (B, T)
        var before = model.Forward(tokens); // (B, T, V)
        using var adapters = LoraAdapters.Attach(model, AllProjections);
        var after = model.Forward(tokens); // (B, T, V)

        // c_proj names the attention output and the MLP output, as a PEFT target_modules entry matches both.
        Assert.Equal(
            ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"],
            adapters.Targets.Where(t => t.StartsWith("transformer.h.0.", StringComparison.Ordinal)).Select(t => t["transformer.h.0.".Length..]).Order());
        Assert.Equal(2 * 4, adapters.Targets.Count);
        var shapes = model.NamedParameters().Where(p => p.Name.Contains("lora")).ToDictionary(p => p.Name, p => p.Parameter.shape);
        Assert.Equal([4L, 16], shapes["transformer.h.0.attn.c_attn.lora_A.weight"]); // (r, in)
        Assert.Equal([48L, 4], shapes["transformer.h.0.attn.c_attn.lora_B.weight"]); // (out = 3C, r)
        Assert.Equal([4L, 64], shapes["transformer.h.1.mlp.c_proj.lora_A.weight"]); // (r, 4C)
        Assert.True(before.Equals(after), "B = 0, so W₀x + (α/r)·B·A·x must be W₀x exactly");
    }

    [Fact]
    public void Without_target_modules_gpt2_gets_pefts_default_c_attn()
    {
        using var model = TinyGpt2.Create();
        using var adapters = LoraAdapters.Attach(model, new LoraOptions());

        Assert.Equal(["transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"], adapters.Targets);
        Assert.Equal(2 * (8 * 16 + 48 * 8), adapters.TrainableParameterCount); // rank 8: A (8, C) and B (3C, 8) per layer
    }

    [Fact]
    public void Only_the_adapters_are_optimised_and_only_they_change_in_training_steps()
    {
        using var model = TinyGpt2.Create();
        using var adapters = LoraAdapters.Attach(model, AllProjections);
        using var optimizer = AdamW.Create(model.NamedParameters(), new AdamWOptions());
        var frozen = model.NamedParameters().Where(p => !p.Name.Contains("lora")).Select(p => (p.Name, Value: p.Parameter.detach().clone())).ToList();
        var initial = model.NamedParameters().Where(p => p.Name.Contains("lora")).Select(p => (p.Name, Value: p.Parameter.detach().clone())).ToList();

        Assert.Equal(2 * 4 * 2, optimizer.Parameters.Count); // A and B of 8 targets
        Assert.All(optimizer.DecayedNames.Concat(optimizer.UndecayedNames), name => Assert.Matches(@"\.lora_[AB]\.weight$", name));
        Assert.All(model.NamedParameters(), p => Assert.Equal(p.Name.Contains("lora"), p.Parameter.requires_grad));
        for (var step = 0; step < 2; step++)
        {
            // Two steps: after the first, B ≠ 0, so A receives gradient too.
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var tokens = TinyGpt2.Tokens(2, 9, seed: 20 + step); // (B, T)
            var logits = model.Forward(tokens.narrow(1, 0, 8)); // (B, T-1, V)
            var loss = nn.functional.cross_entropy(logits.reshape(-1, TinyGpt2.Vocab), tokens.narrow(1, 1, 8).reshape(-1)); // ()
            loss.backward();
            optimizer.Step(1e-2);
        }

        var current = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.All(frozen, f => Assert.True(f.Value.Equals(current[f.Name]), $"frozen {f.Name} changed"));
        Assert.All(initial, a => Assert.False(a.Value.Equals(current[a.Name]), $"adapter {a.Name} did not change"));
    }

    [Fact]
    public void Merged_export_loads_without_lora_code_and_reproduces_the_adapter_forward_within_1e5()
    {
        using var model = TinyGpt2.Create();
        using var temp = new TempDirectory("align-lora-gpt2");
        using var scope = NewDisposeScope();
        var tokens = TinyGpt2.Tokens(2, 10); // (B, T)
        var baseLogits = model.Forward(tokens); // (B, T, V)
        var baseWeights = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.detach().clone());
        var adapters = LoraAdapters.Attach(model, AllProjections);
        using (no_grad())
        {
            // A trained B is not zero: give every B random entries so the adapters change the function.
            foreach (var (name, parameter) in model.NamedParameters().Where(p => p.Name.Contains("lora_B")))
            {
                parameter.copy_(randn(parameter.shape, generator: new Generator(5)) * 0.3);
            }
        }

        var a = model.NamedParameters().Single(p => p.Name == "transformer.h.0.attn.c_attn.lora_A.weight").Parameter.detach().clone(); // (r, C)
        var b = model.NamedParameters().Single(p => p.Name == "transformer.h.0.attn.c_attn.lora_B.weight").Parameter.detach().clone(); // (3C, r)
        var adapted = model.Forward(tokens); // (B, T, V)
        adapters.Merge();
        var folder = Path.Combine(temp.Path, "merged");
        model.Save(folder);
        using var loaded = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model;
        var reloaded = loaded.Forward(tokens); // (B, T, V)

        // Conv1D stores W (in, out): the merge adds (α/r)·(B·A)ᵀ = 2·Aᵀ·Bᵀ, computed here independently of Merge.
        var expectedWeight = baseWeights["transformer.h.0.attn.c_attn.weight"] + a.t().matmul(b.t()) * 2.0; // (C, 3C)
        var mergedWeight = loaded.NamedParameters().Single(p => p.Name == "transformer.h.0.attn.c_attn.weight").Parameter; // (C, 3C)
        Assert.True(mergedWeight.allclose(expectedWeight, rtol: 0, atol: 1e-6), "merged c_attn weight ≠ W₀ + (α/r)·(B·A)ᵀ");
        var adapterEffect = (adapted - baseLogits).abs().max().item<float>();
        var difference = (reloaded - adapted).abs().max().item<float>();
        TestContext.Current.TestOutputHelper?.WriteLine($"adapter effect {adapterEffect:E3}, merged vs adapter forward {difference:E3}");
        Assert.True(adapterEffect > 1e-2, $"the adapters must change the logits for the comparison to mean something ({adapterEffect:E3})");
        Assert.True(difference <= 1e-5, $"merged model differs from the adapter forward by {difference:E3}");
        Assert.Equal("gpt2", loaded.Config.ModelType);
        Assert.DoesNotContain(loaded.NamedParameters(), p => p.Name.Contains("lora"));
        Assert.Equal(baseWeights.Keys, loaded.NamedParameters().Select(p => p.Name));
        Assert.True(baseWeights["transformer.h.1.ln_2.weight"].Equals(loaded.NamedParameters().Single(p => p.Name == "transformer.h.1.ln_2.weight").Parameter));
    }

    [Fact]
    public void A_llama_target_on_gpt2_is_a_user_error_listing_gpt2s_projections()
    {
        using var model = TinyGpt2.Create();
        var error = Assert.Throws<UserErrorException>(() => LoraAdapters.Attach(model, new LoraOptions { TargetModules = ["c_attn", "q_proj", "v_proj"] }));

        Assert.Equal(
            "lora.target_modules: 'q_proj', 'v_proj' names no projection of this gpt2 model's blocks; choose from c_attn, c_fc, c_proj",
            error.Message);
        Assert.All(model.NamedParameters(), p => Assert.True(p.Parameter.requires_grad)); // nothing was frozen
    }
}
