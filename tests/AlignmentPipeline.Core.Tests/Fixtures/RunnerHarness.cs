using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Hashing;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Core.Tests.Fixtures;

/// <summary>A temp storage plus loader and runner over the test stages.</summary>
internal sealed class RunnerHarness : IDisposable
{
    private readonly TempDirectory temp = new("align-core");

    public RunnerHarness()
    {
        Storage = new LocalStorage(Path.Combine(temp.Path, "store"));
    }

    public LocalStorage Storage { get; }

    public TempDirectory Temp => temp;

    public PipelineSpec Load(string yaml, IReadOnlyDictionary<string, string>? overrides = null, Func<string, string?>? env = null) =>
        new PipelineLoader(TestStages.Registry(), env ?? (_ => null)).Load(yaml, "p.yaml", overrides);

    public PipelineRunner Runner(IReadOnlySet<string>? force = null, int parallelism = 2, FileHashCache? hashes = null) =>
        new(new RunOptions { Storage = Storage, Force = force ?? new HashSet<string>(), Executor = new LocalExecutor(parallelism), Hashes = hashes });

    public Task<RunRecord> RunAsync(string yaml, IReadOnlyDictionary<string, string>? overrides = null) => Runner().RunAsync(Load(yaml, overrides));

    public void Dispose() => temp.Dispose();
}
