using AlignmentPipeline.Core.Stages;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AlignmentPipeline.Core.Configuration;

/// <summary>
/// Reads a pipeline YAML file and validates all of it before anything runs: structure, unknown keys, types, ranges,
/// stage kinds, references, cycles, parameters and environment variables. Throws one <see cref="ConfigException"/>
/// carrying every problem.
/// </summary>
public sealed class PipelineLoader
{
    /// <summary>Alias expansion beyond this many nodes is refused (a "billion laughs" document).</summary>
    public const int MaxExpandedNodes = 100_000;

    private static readonly string[] TopLevelKeys = ["name", "description", "storage", "params", "stages"];
    private static readonly HashSet<string> StageKeys = new(StringComparer.Ordinal) { "kind", "input" };

    private readonly StageRegistry registry;
    private readonly Func<string, string?> environment;

    public PipelineLoader(StageRegistry registry, Func<string, string?>? environment = null)
    {
        this.registry = registry;
        this.environment = environment ?? Environment.GetEnvironmentVariable;
    }

    public PipelineSpec LoadFile(string path, IReadOnlyDictionary<string, string>? overrides = null)
    {
        if (!File.Exists(path))
        {
            throw new UserErrorException($"pipeline file '{path}' does not exist (relative paths start at {Environment.CurrentDirectory})");
        }

        return Load(File.ReadAllText(path), path, overrides);
    }

    public PipelineSpec Load(string yaml, string file, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var errors = new List<ConfigError>();
        var root = Parse(yaml, file, errors);
        if (root is null)
        {
            throw new ConfigException(errors);
        }

        foreach (var (keyNode, _) in root.Children)
        {
            string key = Text(keyNode);
            if (!TopLevelKeys.Contains(key))
            {
                errors.Add(new ConfigError(Locate(file, keyNode), $"unknown key '{key}'", DidYouMean.Hint(key, TopLevelKeys)));
            }
        }

        string name = ScalarOrError(root, "name", file, errors, required: true) ?? "";
        var (parameters, recordedParams) = ReadParams(root, file, overrides ?? new Dictionary<string, string>(), errors);
        var interpolator = new ScalarInterpolator(file, parameters, environment, errors);

        string storage = "./runs";
        if (root.Children.TryGetValue(new YamlScalarNode("storage"), out var storageNode))
        {
            storage = storageNode is YamlScalarNode s
                ? interpolator.Interpolate(s, "storage", new HashSet<string>()) ?? storage
                : Fail(errors, file, storageNode, "'storage' must be a path or URI");
        }

        var stages = ReadStages(root, file, interpolator, errors);
        var ordered = errors.Count == 0 ? Order(stages, file, errors) : stages;
        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        return new PipelineSpec(name, file, storage, recordedParams, ordered);
    }

    private static YamlMappingNode? Parse(string yaml, string file, List<ConfigError> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            string message = e.InnerException?.Message ?? e.Message;
            int cut = message.IndexOf("): ", StringComparison.Ordinal);
            errors.Add(new ConfigError(new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column),
                $"invalid YAML: {(cut >= 0 ? message[(cut + 3)..] : message)}"));
            return null;
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new ConfigError(new SourceLocation(file, 1, 1), "a pipeline file holds one YAML mapping with 'name' and 'stages'"));
            return null;
        }

        long expanded = ExpandedSize(root, new Dictionary<YamlNode, long>(ReferenceEqualityComparer.Instance), 0);
        if (expanded > MaxExpandedNodes)
        {
            errors.Add(new ConfigError(new SourceLocation(file, 1, 1),
                $"YAML aliases expand to more than {MaxExpandedNodes:N0} nodes; refusing to expand",
                "write the repeated parts out or reduce nested aliases"));
            return null;
        }

        return root;
    }

    private static long ExpandedSize(YamlNode node, Dictionary<YamlNode, long> memo, int depth)
    {
        if (memo.TryGetValue(node, out long known))
        {
            return known;
        }

        if (depth > 200)
        {
            return long.MaxValue / 4;
        }

        long size = 1 + node switch
        {
            YamlMappingNode m => m.Children.Sum(c => Saturate(ExpandedSize(c.Key, memo, depth + 1) + ExpandedSize(c.Value, memo, depth + 1))),
            YamlSequenceNode s => s.Children.Sum(c => ExpandedSize(c, memo, depth + 1)),
            _ => 0,
        };
        size = Saturate(size);
        memo[node] = size;
        return size;
    }

    private static long Saturate(long value) => Math.Min(value, long.MaxValue / 4);

    private static (Dictionary<string, string> Values, Dictionary<string, string> Recorded) ReadParams(
        YamlMappingNode root, string file, IReadOnlyDictionary<string, string> overrides, List<ConfigError> errors)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var recorded = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.Children.TryGetValue(new YamlScalarNode("params"), out var paramsNode))
        {
            if (paramsNode is not YamlMappingNode mapping)
            {
                errors.Add(new ConfigError(Locate(file, paramsNode), "'params' must be a mapping of names to values"));
            }
            else
            {
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    string key = Text(keyNode);
                    if (valueNode is not YamlScalarNode scalar)
                    {
                        errors.Add(new ConfigError(Locate(file, valueNode), $"parameter '{key}' must be a single value, not a list or mapping"));
                        continue;
                    }

                    values[key] = scalar.Value ?? "";
                    recorded[key] = scalar.Value ?? "";
                }
            }
        }

        foreach (var (key, value) in overrides)
        {
            if (!values.ContainsKey(key))
            {
                errors.Add(new ConfigError(SourceLocation.None($"--set {key}={value}"), $"'{key}' is not a parameter of this pipeline",
                    values.Count == 0 ? "the pipeline declares no 'params'" : DidYouMean.Hint(key, values.Keys)));
                continue;
            }

            values[key] = value;
            recorded[key] = value;
        }

        return (values, recorded);
    }

    private List<StageSpec> ReadStages(YamlMappingNode root, string file, ScalarInterpolator interpolator, List<ConfigError> errors)
    {
        var stages = new List<StageSpec>();
        if (!root.Children.TryGetValue(new YamlScalarNode("stages"), out var stagesNode))
        {
            errors.Add(new ConfigError(new SourceLocation(file, 1, 1), "missing required key 'stages'", "list the stages under 'stages:'"));
            return stages;
        }

        if (stagesNode is not YamlMappingNode stagesMap || stagesMap.Children.Count == 0)
        {
            errors.Add(new ConfigError(Locate(file, stagesNode), "'stages' must be a non-empty mapping of stage names to definitions"));
            return stages;
        }

        var names = stagesMap.Children.Keys.Select(Text).ToHashSet(StringComparer.Ordinal);
        foreach (var (keyNode, stageNode) in stagesMap.Children)
        {
            string name = Text(keyNode);
            if (!IsValidName(name))
            {
                errors.Add(new ConfigError(Locate(file, keyNode), $"stage name '{name}' may only contain letters, digits, '-' and '_'"));
            }

            if (stageNode is not YamlMappingNode stageMap)
            {
                errors.Add(new ConfigError(Locate(file, stageNode), $"stage '{name}' must be a mapping with at least 'kind'"));
                continue;
            }

            string? kindName = ScalarOrError(stageMap, "kind", file, errors, required: true, owner: $"stage '{name}'");
            if (kindName is null)
            {
                continue;
            }

            if (!registry.TryGet(kindName, out var kind))
            {
                var kindNode = stageMap.Children[new YamlScalarNode("kind")];
                errors.Add(new ConfigError(Locate(file, kindNode), $"unknown stage kind '{kindName}' in stage '{name}'", DidYouMean.Hint(kindName, registry.Names)));
                continue;
            }

            var inputs = ReadInputs(stageMap, name, kind, names, file, errors);
            var result = new OptionsBinder.Result();
            var binder = new OptionsBinder(file, interpolator, names, errors);
            object options = binder.Bind(kind.OptionsType, stageMap, StageKeys, "", result);
            foreach (var (key, referenced) in result.StageReferences)
            {
                if (referenced.Contains(name))
                {
                    errors.Add(new ConfigError(result.KeyLocations[key], $"stage '{name}' refers to itself in '{key}'"));
                }
            }

            stages.Add(new StageSpec(name, kind, options, inputs, result.StageReferences, result.Files,
                OptionsBinder.Canonical(options), result.EnvKeys, Locate(file, keyNode)));
        }

        return stages;
    }

    private static List<string> ReadInputs(YamlMappingNode stageMap, string name, StageKind kind, HashSet<string> names, string file, List<ConfigError> errors)
    {
        var inputs = new List<string>();
        if (!stageMap.Children.TryGetValue(new YamlScalarNode("input"), out var inputNode))
        {
            if (kind.Inputs is InputArity.One or InputArity.Many)
            {
                errors.Add(new ConfigError(Locate(file, stageMap), $"stage '{name}' ({kind.Name}) needs 'input': the stage it reads",
                    $"stages: {string.Join(", ", names.Where(n => n != name))}"));
            }

            return inputs;
        }

        if (kind.Inputs == InputArity.None)
        {
            errors.Add(new ConfigError(Locate(file, inputNode), $"stage '{name}' ({kind.Name}) reads no other stage; remove 'input'"));
            return inputs;
        }

        var scalars = inputNode switch
        {
            YamlScalarNode s => [s],
            YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode) => seq.Children.Cast<YamlScalarNode>().ToList(),
            _ => null,
        };
        if (scalars is null)
        {
            errors.Add(new ConfigError(Locate(file, inputNode), $"'input' of stage '{name}' must be a stage name or a list of stage names"));
            return inputs;
        }

        if (kind.Inputs == InputArity.One && scalars.Count != 1)
        {
            errors.Add(new ConfigError(Locate(file, inputNode), $"stage '{name}' ({kind.Name}) reads exactly one stage, found {scalars.Count}"));
        }

        foreach (var scalar in scalars)
        {
            string input = scalar.Value ?? "";
            if (input == name)
            {
                errors.Add(new ConfigError(Locate(file, scalar), $"stage '{name}' cannot read itself"));
            }
            else if (!names.Contains(input))
            {
                errors.Add(new ConfigError(Locate(file, scalar), $"stage '{name}' reads '{input}', which is not a stage of this pipeline",
                    DidYouMean.Hint(input, names.Where(n => n != name))));
            }
            else
            {
                inputs.Add(input);
            }
        }

        return inputs;
    }

    private static List<StageSpec> Order(List<StageSpec> stages, string file, List<ConfigError> errors)
    {
        var byName = stages.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordered = new List<StageSpec>();
        var path = new List<string>();

        bool Visit(StageSpec stage)
        {
            state.TryGetValue(stage.Name, out int mark);
            if (mark == 2)
            {
                return true;
            }

            if (mark == 1)
            {
                int start = path.IndexOf(stage.Name);
                string cycle = string.Join(" → ", path.Skip(start).Append(stage.Name));
                errors.Add(new ConfigError(stage.Location, $"stages form a cycle: {cycle}", "a stage cannot depend on its own output"));
                return false;
            }

            state[stage.Name] = 1;
            path.Add(stage.Name);
            foreach (string dependency in stage.Dependencies)
            {
                if (byName.TryGetValue(dependency, out var upstream) && !Visit(upstream))
                {
                    return false;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[stage.Name] = 2;
            ordered.Add(stage);
            return true;
        }

        foreach (var stage in stages)
        {
            if (!Visit(stage))
            {
                break;
            }
        }

        return ordered;
    }

    private static string? ScalarOrError(YamlMappingNode map, string key, string file, List<ConfigError> errors, bool required, string? owner = null)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            if (required)
            {
                errors.Add(new ConfigError(Locate(file, map), $"missing required key '{key}'{(owner is null ? "" : $" in {owner}")}"));
            }

            return null;
        }

        if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }

        errors.Add(new ConfigError(Locate(file, node), $"'{key}' must be a non-empty string"));
        return null;
    }

    private static string Fail(List<ConfigError> errors, string file, YamlNode node, string message)
    {
        errors.Add(new ConfigError(Locate(file, node), message));
        return "";
    }

    private static bool IsValidName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Text(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : node.ToString();

    private static SourceLocation Locate(string file, YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);
}
