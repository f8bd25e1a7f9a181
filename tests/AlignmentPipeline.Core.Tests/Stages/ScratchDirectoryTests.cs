using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Core.Tests.Stages;

public sealed class ScratchDirectoryTests
{
    /// <summary>
    /// Two clean clones running the demo at once wrote one sft stage's metrics.jsonl into the same scratch folder (it was
    /// named for the fingerprint alone) and one run read the other's interleaved lines.
    /// </summary>
    [Fact]
    public void The_same_stage_on_two_storages_gets_two_scratch_folders_and_on_one_storage_the_same()
    {
        var root = Path.Combine(Path.GetTempPath(), $"scratch-test-{Guid.NewGuid():N}");
        try
        {
            var first = Context(new LocalStorage(Path.Combine(root, "a")));
            var second = Context(new LocalStorage(Path.Combine(root, "b")));
            var again = Context(new LocalStorage(Path.Combine(root, "a")));

            Assert.NotEqual(first.ScratchDirectory, second.ScratchDirectory);
            Assert.Equal(first.ScratchDirectory, again.ScratchDirectory);
            Assert.StartsWith(Path.Combine(Path.GetTempPath(), "alignment-pipeline"), first.ScratchDirectory, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static StageContext Context(IStorage storage)
    {
        var log = new RunLog(TextWriter.Null, TimeProvider.System);
        return new StageContext("sft", new string('f', 64), storage, [], new Dictionary<string, StageOutput>(), log,
            new ProgressReporter(log, interactive: false, TimeProvider.System), TimeProvider.System);
    }
}
