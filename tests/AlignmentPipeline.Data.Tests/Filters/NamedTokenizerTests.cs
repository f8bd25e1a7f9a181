using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Filters;
using AlignmentPipeline.Data.Ingest;

namespace AlignmentPipeline.Data.Tests.Filters;

/// <summary>
/// Token bounds with a named tokenizer. The test loader stands in for the modeling project's: it reads the tokenizer
/// file as a list of vocabulary pieces and counts a text greedily (longest piece first, one token per unknown char).
/// </summary>
public sealed class NamedTokenizerTests
{
    private const string Pairs = """
        {"prompt":"abc abc","chosen":"abcabc","rejected":"x"}
        {"prompt":"zzzz","chosen":"q","rejected":"w"}
        """;

    [Fact]
    public async Task Token_bounds_count_with_the_named_tokenizer_instead_of_white_space()
    {
        using var harness = new PipelineHarness();
        string vocabulary = harness.WriteFile("tok/vocab.txt", "abc\nab\n");
        var loaded = new List<string>();
        var kinds = new[] { IngestStage.Kind, FilterStage.DefineKind([], path => { loaded.Add(path); return GreedyCounter(File.ReadAllLines(path)); }) };
        string yaml = $"  ingest:\n    kind: ingest\n    inputs: [\"{harness.WriteFile("pairs.jsonl", Pairs)}\"]\n" +
                      $"  filter:\n    kind: filter\n    input: ingest\n    max_tokens: 4\n    tokenizer: \"{vocabulary}\"\n";

        var outputs = await harness.RunAsync(yaml, kinds);

        // Pair 1: "abc abc" = abc, ' ', abc (3) + "abcabc" = abc, abc (2) → 5 > 4; by white space it would be 2 + 1 = 3.
        // Pair 2: "zzzz" = 4 unknown chars + "q" → 5 > 4; by white space 1 + 1 = 2.
        Assert.Empty(await outputs.PairsAsync("filter"));
        var dropped = await outputs.QuarantineAsync("filter");
        Assert.Equal(["too_many_tokens", "too_many_tokens"], dropped.Select(q => q.Reason));
        Assert.Equal("prompt + response has 5 tokens, above 4", dropped[0].Detail);
        Assert.Equal(Path.GetFullPath(vocabulary), Assert.Single(loaded.Distinct()));

        var whiteSpace = await harness.RunAsync(yaml.Replace($"    tokenizer: \"{vocabulary}\"\n", "", StringComparison.Ordinal), kinds);
        Assert.Equal(2, (await whiteSpace.PairsAsync("filter")).Count);
    }

    [Fact]
    public async Task Tokenizer_without_a_registered_loader_fails_saying_how_to_fix_it()
    {
        using var harness = new PipelineHarness();
        string yaml = $"  ingest:\n    kind: ingest\n    inputs: [\"{harness.WriteFile("pairs.jsonl", Pairs)}\"]\n" +
                      $"  filter:\n    kind: filter\n    input: ingest\n    min_tokens: 1\n    tokenizer: \"{harness.WriteFile("vocab.txt", "a")}\"\n";

        var error = await Assert.ThrowsAsync<UserErrorException>(() => harness.RunAsync(yaml));
        Assert.Contains("needs a tokenizer loader", error.Message);
        Assert.Contains("remove 'tokenizer' to count white-space words", error.Message);
    }

    [Fact]
    public void Tokenizer_without_a_token_bound_or_missing_on_disk_is_a_config_error()
    {
        using var harness = new PipelineHarness();
        string input = harness.WriteFile("x.jsonl", "");
        string Yaml(string tokenizer) => $"name: t\nstages:\n  ingest:\n    kind: ingest\n    inputs: [\"{input}\"]\n" +
                                         $"  filter:\n    kind: filter\n    input: ingest\n    tokenizer: \"{tokenizer}\"\n";
        var loader = new PipelineLoader(new StageRegistry(DataStageKinds.WithTokenizers(_ => text => text.Length)));

        var unused = Assert.Throws<ConfigException>(() => loader.Load(Yaml(harness.WriteFile("vocab.txt", "a")), "p.yaml"));
        Assert.Contains("'tokenizer' is set but neither min_tokens nor max_tokens counts with it", unused.Message);
        var missing = Assert.Throws<ConfigException>(() => loader.Load(Yaml(Path.Combine(harness.Root, "nope.json")), "p.yaml"));
        Assert.Contains("does not exist", missing.Message);
    }

    private static Func<string, int> GreedyCounter(string[] pieces)
    {
        var ordered = pieces.Where(p => p.Length > 0).OrderByDescending(p => p.Length).ToArray();
        return text =>
        {
            int tokens = 0;
            for (int i = 0; i < text.Length; tokens++)
            {
                string? piece = ordered.FirstOrDefault(p => string.CompareOrdinal(text, i, p, 0, p.Length) == 0);
                i += piece?.Length ?? 1;
            }

            return tokens;
        };
    }
}
