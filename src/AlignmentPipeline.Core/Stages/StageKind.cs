namespace AlignmentPipeline.Core.Stages;

/// <summary>
/// A registered stage kind: its YAML name, implementation version (part of every fingerprint: bump it whenever the
/// output for the same options and inputs changes), its sealed options type and how to build the stage from options.
/// </summary>
public sealed class StageKind
{
    private readonly Func<object, IStage> factory;

    private StageKind(string name, int version, string description, Type optionsType, InputArity inputs, Func<object, IStage> factory)
    {
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

    public static StageKind Define<TOptions>(string name, int version, string description, InputArity inputs, Func<TOptions, IStage> create)
        where TOptions : class, new() =>
        new(name, version, description, typeof(TOptions), inputs, options => create((TOptions)options));

    public IStage Create(object options) => factory(options);
}
