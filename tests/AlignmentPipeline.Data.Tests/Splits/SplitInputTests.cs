using AlignmentPipeline.Core;
using AlignmentPipeline.Data.Splits;

namespace AlignmentPipeline.Data.Tests.Splits;

/// <summary>Data stages read unsplit pairs; a split output as their input would read as empty, so it is refused with the fix.</summary>
public sealed class SplitInputTests
{
    [Theory]
    [InlineData("filter", "    input: split\n")]
    [InlineData("dedup", "    input: split\n")]
    public async Task A_data_stage_reading_a_split_output_fails_naming_the_folders_instead_of_reading_nothing(string kind, string options)
    {
        using var harness = new PipelineHarness();
        string corpus = harness.WriteFile("pairs.jsonl", string.Join('\n', Enumerable.Range(0, 20).Select(i => $$"""{"prompt":"p{{i}}","chosen":"a","rejected":"b"}""")));
        string yaml = $"  ingest:\n    kind: ingest\n    inputs: [\"{corpus}\"]\n  split:\n    kind: split\n    input: ingest\n" +
                      $"  reader:\n    kind: {kind}\n{options}";

        var error = await Assert.ThrowsAsync<UserErrorException>(() => harness.RunAsync(yaml, [.. DataStageKinds.All, SplitStage.Kind]));
        Assert.Contains("stage 'split' is split into folders (eval/, train/)", error.Message);
        Assert.Contains("before the split", error.Message);
    }
}
