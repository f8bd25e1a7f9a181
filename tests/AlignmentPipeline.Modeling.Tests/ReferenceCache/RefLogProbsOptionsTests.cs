using AlignmentPipeline.Modeling.ReferenceCache;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

public sealed class RefLogProbsOptionsTests
{
    [Fact]
    public void Batch_tokens_auto_depends_on_the_device_and_a_number_is_taken_as_given()
    {
        var options = new RefLogProbsOptions { Model = "model.gguf" };

        Assert.Equal("auto", options.BatchTokens);
        Assert.Equal(2048, options.BatchTokensOn(CPU));
        Assert.Equal(512, (options with { PrefixSharing = true }).BatchTokensOn(CPU));
        Assert.Equal(16384, options.BatchTokensOn(new Device(TorchSharp.DeviceType.CUDA, 0)));
        Assert.Equal(400, (options with { BatchTokens = "400" }).BatchTokensOn(CPU));
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("lots")]
    [InlineData("8k")]
    public void Batch_tokens_other_than_auto_or_a_positive_number_is_an_option_problem(string value)
    {
        var problems = new RefLogProbsOptions { Model = "model.gguf", BatchTokens = value }.Validate().ToList();

        var problem = Assert.Single(problems);
        Assert.Equal("batch_tokens", problem.Key);
        Assert.Contains($"'{value}'", problem.Message);
    }
}
