using AlignmentPipeline.Modeling.Generation;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Tests;

public sealed class TextGeneratorTests
{
    private static readonly int[][] Prompts = [TestModels.RandomTokens(5, 37, 1), TestModels.RandomTokens(1, 37, 2), TestModels.RandomTokens(8, 37, 3)];

    public static TheoryData<string, double, int, double> Samplers() => new()
    {
        { "llama", 0, 0, 1 },
        { "llama", 1.0, 10, 0.9 },
        { "gpt2", 0, 0, 1 },
        { "gpt2", 0.8, 0, 0.95 },
    };

    private static ICausalLanguageModel Model(string architecture) => architecture == "llama"
        ? TestModels.Randomized(new LlamaModel(TestModels.Llama()), 31)
        : TestModels.Randomized(new Gpt2Model(TestModels.Gpt2() with { VocabSize = 37 }), 31);

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Kv_cache_generation_equals_recomputing_the_whole_prefix(string architecture, double temperature, int topK, double topP)
    {
        using var model = Model(architecture);
        var options = new GenerationOptions { MaxNewTokens = 20, Temperature = temperature, TopK = topK, TopP = topP, Seed = 5 };

        var cached = TextGenerator.Generate(model, Prompts, options);
        var recomputed = TextGenerator.Generate(model, Prompts, options with { UseKvCache = false });

        Assert.Equal(cached, recomputed);
        Assert.All(cached, tokens => Assert.Equal(20, tokens.Length));
    }

    [Fact]
    public void Same_seed_reproduces_tokens_and_another_seed_changes_them()
    {
        using var model = Model("llama");
        var options = new GenerationOptions { MaxNewTokens = 30, Temperature = 1.0, Seed = 17 };

        var first = TextGenerator.Generate(model, Prompts, options);
        var again = TextGenerator.Generate(model, Prompts, options);
        var other = TextGenerator.Generate(model, Prompts, options with { Seed = 18 });

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Batched_left_padded_prompts_generate_what_each_prompt_generates_alone()
    {
        using var model = Model("llama");
        var options = new GenerationOptions { MaxNewTokens = 15 };

        var batched = TextGenerator.Generate(model, Prompts, options);
        var alone = Prompts.Select(p => TextGenerator.Generate(model, [p], options)[0]).ToArray();

        Assert.Equal(alone, batched);
    }

    [Fact]
    public void Top_k_of_one_and_a_tiny_top_p_both_reduce_to_greedy()
    {
        using var model = Model("gpt2");
        var greedy = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 12 });

        var topK = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 12, Temperature = 1.5, TopK = 1, Seed = 3 });
        var topP = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 12, Temperature = 1.5, TopP = 1e-6, Seed = 3 });

        Assert.Equal(greedy, topK);
        Assert.Equal(greedy, topP);
    }

    [Fact]
    public void Stop_token_ends_only_its_sequence_and_is_not_returned()
    {
        using var model = Model("llama");
        var free = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 15 });
        var stop = free[0][4];

        var stopped = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 15, StopTokens = [stop] });

        for (var b = 0; b < Prompts.Length; b++)
        {
            var firstStop = Array.IndexOf(free[b], stop);
            Assert.Equal(firstStop < 0 ? free[b] : free[b][..firstStop], stopped[b]);
        }
    }

    [Fact]
    public void Invalid_options_are_reported_together()
    {
        var problems = new GenerationOptions { MaxNewTokens = 0, Temperature = -1, TopK = -2, TopP = 0 }.Validate();

        Assert.Equal(4, problems.Count);
    }
}
