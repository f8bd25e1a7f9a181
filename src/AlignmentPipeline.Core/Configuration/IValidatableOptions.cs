namespace AlignmentPipeline.Core.Configuration;

/// <summary>Options with rules across several fields. Report every problem, each with the key it concerns.</summary>
public interface IValidatableOptions
{
    IEnumerable<OptionProblem> Validate();
}

/// <summary>A cross-field problem: the YAML key it concerns (dotted for nested options) and what is wrong.</summary>
public sealed record OptionProblem(string Key, string Message);
