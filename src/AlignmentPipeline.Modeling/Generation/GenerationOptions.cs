namespace AlignmentPipeline.Modeling.Generation;

/// <summary>How <see cref="TextGenerator"/> picks tokens.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens generated per prompt, stop token excluded (default 256).</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Softmax temperature; 0 (default) means greedy argmax.</summary>
    public double Temperature { get; init; }

    /// <summary>Sample only among the k most likely tokens; 0 (default) disables top-k.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling (Holtzman et al. 2020): the smallest set of tokens with mass ≥ p; 1 (default) disables it.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Seed of the sampling generator; the same seed, prompts and model give the same tokens (default 0).</summary>
    public ulong Seed { get; init; }

    /// <summary>Token ids that end a sequence; the stop token itself is not returned (default none).</summary>
    public IReadOnlyList<int> StopTokens { get; init; } = [];

    /// <summary>Reuse keys and values of earlier tokens (default true); false recomputes the whole prefix each step.</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>Every problem with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxNewTokens < 1)
        {
            problems.Add($"max_new_tokens must be at least 1 (got {MaxNewTokens})");
        }

        if (Temperature < 0 || double.IsNaN(Temperature))
        {
            problems.Add($"temperature must be ≥ 0 (got {Temperature})");
        }

        if (TopK < 0)
        {
            problems.Add($"top_k must be ≥ 0 (got {TopK})");
        }

        if (TopP is <= 0 or > 1 || double.IsNaN(TopP))
        {
            problems.Add($"top_p must be in (0, 1] (got {TopP})");
        }

        return problems;
    }
}
