namespace AlignmentPipeline.Modeling.Tests.Runtime;

/// <summary>Tests that change libtorch's and MKL's process-wide thread counts run alone, then restore one thread.</summary>
[CollectionDefinition(nameof(ProcessWideThreads), DisableParallelization = true)]
public sealed class ProcessWideThreads;
