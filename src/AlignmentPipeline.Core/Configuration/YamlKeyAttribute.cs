namespace AlignmentPipeline.Core.Configuration;

/// <summary>Overrides the YAML key of an options property (default: the property name in snake_case).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class YamlKeyAttribute(string key) : Attribute
{
    public string Key { get; } = key;
}
