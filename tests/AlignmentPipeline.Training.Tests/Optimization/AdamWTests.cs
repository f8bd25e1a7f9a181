using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Tests.Optimization;

public sealed class AdamWTests
{
    private static readonly AdamWOptions Options = new() { Beta1 = 0.9, Beta2 = 0.95, Epsilon = 1e-8, WeightDecay = 0.1 };

    [Fact]
    public void Updates_match_torchsharp_adamw_with_biases_excluded_from_decay()
    {
        using var data = new TinyRegression(steps: 10);
        using var ours = TinyRegression.NewModel();
        using var theirs = TinyRegression.NewModel();
        using var optimizer = AdamW.Create(ours.named_parameters(), Options);
        // Reference: TorchSharp's AdamW, one instance per parameter group (weights decayed, bias not).
        var decayed = torch.optim.AdamW([theirs.weight!], lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        var undecayed = torch.optim.AdamW([theirs.bias!], lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.0);

        foreach (var (x, y) in data.Batches)
        {
            optimizer.ZeroGrad();
            TinyRegression.Backward(ours, x, y);
            optimizer.Step(1e-2);
            decayed.zero_grad();
            undecayed.zero_grad();
            TinyRegression.Backward(theirs, x, y);
            decayed.step();
            undecayed.step();
        }

        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
        {
            var maxDifference = (a - b).abs().max().item<float>();
            Assert.True(maxDifference <= 1e-6f, $"max |ours − torchsharp| = {maxDifference}");
        }
        Assert.Equal(["weight"], optimizer.DecayedNames);
        Assert.Equal(["bias"], optimizer.UndecayedNames);
        Assert.Equal(10, optimizer.StepCount);
    }

    [Fact]
    public void Save_and_load_mid_run_continues_bit_identically()
    {
        const int Steps = 8;
        const int Stop = 4;
        using var data = new TinyRegression(Steps);

        using var straight = TinyRegression.NewModel();
        using (var optimizer = AdamW.Create(straight.named_parameters(), Options))
        {
            foreach (var (x, y) in data.Batches)
            {
                optimizer.ZeroGrad();
                TinyRegression.Backward(straight, x, y);
                optimizer.Step(1e-2);
            }
        }

        using var firstHalf = TinyRegression.NewModel();
        using var saved = new MemoryStream();
        Tensor[] weights;
        using (var optimizer = AdamW.Create(firstHalf.named_parameters(), Options))
        {
            foreach (var (x, y) in data.Batches.Take(Stop))
            {
                optimizer.ZeroGrad();
                TinyRegression.Backward(firstHalf, x, y);
                optimizer.Step(1e-2);
            }
            optimizer.Save(saved);
            weights = TinyRegression.Snapshot(firstHalf);
        }

        using var resumed = TinyRegression.NewModel(seed: 999); // different init, overwritten from the checkpoint
        TinyRegression.CopyInto(resumed, weights);
        using (var optimizer = AdamW.Create(resumed.named_parameters(), Options))
        {
            saved.Position = 0;
            optimizer.Load(saved);
            Assert.Equal(Stop, optimizer.StepCount);
            foreach (var (x, y) in data.Batches.Skip(Stop))
            {
                optimizer.ZeroGrad();
                TinyRegression.Backward(resumed, x, y);
                optimizer.Step(1e-2);
            }
        }

        foreach (var (a, b) in straight.parameters().Zip(resumed.parameters()))
        {
            Assert.True(a.eq(b).all().item<bool>(), "resumed weights differ from the uninterrupted run");
        }
    }

    [Fact]
    public void Load_refuses_a_state_saved_with_other_options()
    {
        using var model = TinyRegression.NewModel();
        using var saved = new MemoryStream();
        using (var optimizer = AdamW.Create(model.named_parameters(), Options))
        {
            optimizer.Save(saved);
        }
        using var other = AdamW.Create(model.named_parameters(), Options with { Beta2 = 0.999 });
        saved.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => other.Load(saved));
        Assert.Contains("original options", error.Message);
    }

    [Fact]
    public void Tied_embeddings_are_optimised_once()
    {
        using var model = new TiedModel();
        var named = model.named_parameters().ToArray();
        using var optimizer = AdamW.Create(named, Options);

        Assert.Equal(2, named.Length); // the shared tensor is listed under both names
        Assert.Single(optimizer.Parameters);
        Assert.Equal(["wte.weight"], optimizer.DecayedNames);

        // Both names share one gradient, so one update covers both uses.
        using var scope = torch.NewDisposeScope();
        model.forward(torch.tensor(new long[] { 1, 2, 3 })).sum().backward();
        Assert.True(named[0].parameter.grad!.eq(named[1].parameter.grad!).all().item<bool>());
    }

    [Fact]
    public void Frozen_parameters_are_left_out()
    {
        using var model = TinyRegression.NewModel();
        model.bias!.requires_grad = false;
        using var optimizer = AdamW.Create(model.named_parameters(), Options);
        Assert.Single(optimizer.Parameters);
        Assert.Equal(["weight"], optimizer.DecayedNames);
        Assert.Empty(optimizer.UndecayedNames);
    }

    [Fact]
    public void Options_validation_reports_every_problem()
    {
        var problems = new AdamWOptions { Beta1 = 1, Beta2 = -0.1, Epsilon = 0, WeightDecay = -1 }.Validate();
        Assert.Equal(["beta1", "beta2", "epsilon", "weight_decay"], problems.Select(p => p.Key).ToArray());
    }

    private sealed class TiedModel : torch.nn.Module<Tensor, Tensor>
    {
        private readonly Embedding wte;
        private readonly Linear lm_head;

        public TiedModel() : base(nameof(TiedModel))
        {
            wte = torch.nn.Embedding(10, 4);
            lm_head = torch.nn.Linear(4, 10, hasBias: false);
            lm_head.weight = wte.weight!;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => lm_head.forward(wte.forward(input));
    }
}
