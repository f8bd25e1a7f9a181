using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Losses;

public sealed class PreferenceObjectiveTests
{
    [Fact]
    public void Rpo_is_sigmoid_plus_alpha_times_sft_and_reports_dpo_rewards()
    {
        // Worked example: sigmoid 0.598138869, sft 2.5; weights [1, 0.5] → 0.598138869 + 1.25 = 1.848138869.
        using var scope = torch.NewDisposeScope();
        var objective = PreferenceLossRegistry.Create(new PreferenceLossOptions { Types = ["sigmoid", "sft"], Weights = [1.0, 0.5] });
        var output = objective.Compute(LossInputs.WorkedExample());
        Assert.Equal(1.848138869, LossInputs.Single(output.Losses), 1e-6);
        Assert.Equal(0.1, LossInputs.Single(output.ChosenRewards), 1e-12);
        Assert.Equal(-0.1, LossInputs.Single(output.RejectedRewards), 1e-12);
        Assert.True(objective.RequiresReference);
    }

    [Fact]
    public void Weights_default_to_one_per_loss()
    {
        using var scope = torch.NewDisposeScope();
        var objective = PreferenceLossRegistry.Create(new PreferenceLossOptions { Types = ["hinge", "sppo_hard"] });
        Assert.Equal(0.8 + 32.0, LossInputs.Single(objective.Compute(LossInputs.WorkedExample()).Losses), 1e-9);
    }

    [Fact]
    public void Validate_reports_every_problem_at_once()
    {
        var options = new PreferenceLossOptions
        {
            Types = ["ipo", "sigmod"], Weights = [1.0], Beta = 0, LabelSmoothing = 0.7, SimpoGamma = -1, OrpoLambda = double.NaN,
        };
        var problems = options.Validate();
        var keys = problems.Select(p => p.Key).ToArray();
        Assert.Contains(problems, p => p.Key == "type" && p.Message.Contains("did you mean 'sigmoid'"));
        Assert.Contains("weights", keys);
        Assert.Contains("beta", keys);
        Assert.Contains("label_smoothing", keys);
        Assert.Contains("simpo_gamma", keys);
        Assert.Contains("orpo_lambda", keys);
        Assert.Equal(6, problems.Count);
    }

    [Theory]
    [InlineData("ipo")]
    [InlineData("hinge")]
    [InlineData("bco_pair")]
    [InlineData("orpo")]
    public void Label_smoothing_with_a_loss_that_ignores_it_is_an_error(string lossType)
    {
        var problems = new PreferenceLossOptions { Types = [lossType], LabelSmoothing = 0.1 }.Validate();
        var problem = Assert.Single(problems);
        Assert.Equal("label_smoothing", problem.Key);
        Assert.Contains(lossType, problem.Message);
    }

    [Fact]
    public void Label_smoothing_is_accepted_by_conservative_dpo_robust_and_simpo()
    {
        Assert.Empty(new PreferenceLossOptions { Types = ["sigmoid"], LabelSmoothing = 0.1 }.Validate());
        Assert.Empty(new PreferenceLossOptions { Types = ["robust"], LabelSmoothing = 0.49 }.Validate());
        Assert.Empty(new PreferenceLossOptions { Types = ["simpo"], LabelSmoothing = 0.1 }.Validate());
    }

    [Fact]
    public void Reference_free_losses_are_flagged_and_cannot_mix_with_reference_based_ones()
    {
        Assert.True(new PreferenceLossOptions { Types = ["simpo"] }.IsReferenceFree);
        Assert.True(new PreferenceLossOptions { Types = ["orpo"] }.IsReferenceFree);
        Assert.True(new PreferenceLossOptions { Types = ["sft"] }.IsReferenceFree);
        Assert.False(new PreferenceLossOptions().IsReferenceFree);
        var problem = Assert.Single(new PreferenceLossOptions { Types = ["simpo", "sigmoid"] }.Validate());
        Assert.Contains("reference-free simpo", problem.Message);
    }

    [Fact]
    public void Duplicate_types_zero_weights_and_empty_types_are_errors()
    {
        Assert.Contains(new PreferenceLossOptions { Types = ["sigmoid", "sigmoid"] }.Validate(), p => p.Message.Contains("listed 2 times"));
        Assert.Contains(new PreferenceLossOptions { Types = ["sigmoid"], Weights = [0.0] }.Validate(), p => p.Message.Contains("all 0"));
        Assert.Single(new PreferenceLossOptions { Types = [] }.Validate());
    }

    [Fact]
    public void Create_refuses_invalid_options_listing_the_problems()
    {
        var error = Assert.Throws<ArgumentException>(() => PreferenceLossRegistry.Create(new PreferenceLossOptions { Beta = -1 }));
        Assert.Contains("beta", error.Message);
    }

    [Fact]
    public void Bco_state_can_be_restored_for_resume()
    {
        using var scope = torch.NewDisposeScope();
        var options = new PreferenceLossOptions { Types = ["bco_pair"] };
        var first = PreferenceLossRegistry.Create(options);
        first.Compute(LossInputs.WorkedExample());
        var restoredMean = new RunningRewardMean();
        restoredMean.Restore(first.RewardMean.Mean, first.RewardMean.Count);
        var resumed = PreferenceLossRegistry.Create(options, restoredMean);
        var next = LossInputs.Batch([-8.0], [-10.0], [-11.0], [-11.0], [4], [2]);
        Assert.Equal(
            LossInputs.Single(first.Compute(next).Losses),
            LossInputs.Single(resumed.Compute(next).Losses));
    }

    [Fact]
    public void Kto_options_validate_every_field()
    {
        var problems = new KtoLossOptions { Beta = 0, DesirableWeight = -1, UndesirableWeight = double.PositiveInfinity }.Validate();
        Assert.Equal(["beta", "desirable_weight", "undesirable_weight"], problems.Select(p => p.Key).ToArray());
    }

    [Fact]
    public void Yaml_keys_are_the_trl_names_and_validation_reaches_the_binder()
    {
        Assert.Equal(
            ["type", "weights", "beta", "label_smoothing", "simpo_gamma", "orpo_lambda"],
            OptionProperty.Of(typeof(PreferenceLossOptions)).Select(p => p.Key).ToArray());
        Assert.Equal(["beta", "desirable_weight", "undesirable_weight"], OptionProperty.Of(typeof(KtoLossOptions)).Select(p => p.Key).ToArray());
        Assert.Equal(["beta1", "beta2", "epsilon", "weight_decay"], OptionProperty.Of(typeof(AdamWOptions)).Select(p => p.Key).ToArray());
        IValidatableOptions options = new PreferenceLossOptions { Types = ["ipo"], LabelSmoothing = 0.1 };
        Assert.Equal("label_smoothing", Assert.Single(options.Validate()).Key);
    }
}
