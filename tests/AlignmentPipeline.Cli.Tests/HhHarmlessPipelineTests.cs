using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

public sealed class HhHarmlessPipelineTests
{
    [Fact]
    public async Task Without_the_shared_data_the_real_data_pipeline_stops_with_exit_2_naming_each_missing_file_and_its_line()
    {
        using var temp = new TempDirectory("align-hh");
        var pipeline = Path.Combine(AppContext.BaseDirectory, "pipelines", "hh-harmless.yaml");

        int inputsLine = Array.FindIndex(File.ReadAllLines(pipeline), l => l.TrimStart().StartsWith("inputs:", StringComparison.Ordinal)) + 1;

        var result = await AlignProcess.RunAsync(temp.Path, "run", pipeline, "--storage", "store", "--set", "data=no-data-here");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{pipeline}:{inputsLine}:14: 'inputs': 'no-data-here/preferences/hh-rlhf-harmless-base/test.jsonl.gz' does not exist", result.Error, StringComparison.Ordinal);
        Assert.Contains("'no-data-here/models/stories260K/stories260K.bin' is neither a stage of this pipeline nor an existing path", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was run", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("store/stages")), "a stage ran although validation failed");
    }
}
