namespace AlignmentPipeline.Core.Stages;

/// <summary>
/// A registered stage kind: its YAML name, implementation version (part of every fingerprint: bump it whenever the
/// output for the same options and inputs changes), its sealed options type and how to build the stage from options.
/// </summary>
public sealed class StageKind
{
    private readonly Func<object, IStage> factory;

    private StageKind(string name, int version, string description, Type optionsType, InputArity inputs, bool parallelTasks, Func<object, IStage> factory)
    {
        ParallelTasks = parallelTasks;
        Name = name;
        Version = version;
        Description = description;
        OptionsType = optionsType;
        Inputs = inputs;
        this.factory = factory;
    }

    public string Name { get; }

    public int Version { get; }

    public string Description { get; }

    public Type OptionsType { get; }

    public InputArity Inputs { get; }

    /// <summary>
    /// Whether the local executor may run several tasks of this kind at once in one process. False for kinds whose
    /// tasks each drive libtorch, which already uses every core and is not safe to drive from several threads at once.
    /// </summary>
    public bool ParallelTasks { get; }

    public static StageKind Define<TOptions>(string name, int version, string description, InputArity inputs, Func<TOptions, IStage> create, bool parallelTasks = true)
        where TOptions : class, new() =>
        new(name, version, description, typeof(TOptions), inputs, parallelTasks, options => create((TOptions)options));

    public IStage Create(object options) => factory(options);
}
