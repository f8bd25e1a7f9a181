using AlignmentPipeline.Modeling.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>The TorchSharp models against <see cref="ReferenceForward"/> on random small configs of every variant.</summary>
public sealed class ModelMatchesReferenceTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> LlamaVariants() =>
    [
        "mha-tied-halfsplit", "gqa-untied-interleaved", "qwen2-bias-gqa", "llama-all-bias-headdim-llama3", "mqa-linear-scaling",
    ];

    private static LlamaConfig Variant(string name) => name switch
    {
        "mha-tied-halfsplit" => TestModels.Llama(heads: 4, kvHeads: 4) with { TieWordEmbeddings = true },
        "gqa-untied-interleaved" => TestModels.Llama() with { Rotation = RopeRotation.Interleaved },
        "qwen2-bias-gqa" => TestModels.Llama() with { ModelType = "qwen2", AttentionBias = true, RopeTheta = 1_000_000 },
        "llama-all-bias-headdim-llama3" => TestModels.Llama() with
        {
            AttentionBias = true,
            AttentionOutputBias = true,
            HeadDim = 12,
            RopeTheta = 500,
            RopeScaling = new RopeScaling("llama3", 8, 1, 4, 32),
        },
        "mqa-linear-scaling" => TestModels.Llama(kvHeads: 1) with { RopeScaling = new RopeScaling("linear", 4), Rotation = RopeRotation.Interleaved },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(LlamaVariants))]
    public void Llama_logits_match_the_scalar_reference(string variant)
    {
        var config = Variant(variant);
        using var model = TestModels.Randomized(new LlamaModel(config), seed: 7);
        var tokens = TestModels.RandomTokens(23, config.VocabSize, seed: 3);

        var expected = ReferenceForward.Llama(config, TestModels.Weights(model), tokens);
        var actual = TestModels.Logits(model, tokens);

        Assert.InRange(TestModels.MaxAbsDiff(expected, actual), 0, Tolerance);
    }

    [Theory]
    [InlineData("gelu_new")]
    [InlineData("gelu")]
    public void Gpt2_logits_match_the_scalar_reference(string activation)
    {
        var config = TestModels.Gpt2(activation);
        using var model = TestModels.Randomized(new Gpt2Model(config), seed: 11);
        var tokens = TestModels.RandomTokens(19, config.VocabSize, seed: 5);

        var expected = ReferenceForward.Gpt2(config, TestModels.Weights(model), tokens);
        var actual = TestModels.Logits(model, tokens);

        Assert.InRange(TestModels.MaxAbsDiff(expected, actual), 0, Tolerance);
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("gpt2")]
    public void Left_padded_batch_with_kv_cache_matches_the_reference_per_sequence(string architecture)
    {
        using ICausalLanguageModel model = architecture == "llama"
            ? TestModels.Randomized(new LlamaModel(Variant("gqa-untied-interleaved")), seed: 1)
            : TestModels.Randomized(new Gpt2Model(TestModels.Gpt2()), seed: 1);
        var vocab = model.Config.VocabSize;
        int[][] sequences = [TestModels.RandomTokens(9, vocab, 1), TestModels.RandomTokens(5, vocab, 2)];
        var weights = TestModels.Weights(model);
        var expected = sequences.Select(s => model is LlamaModel llama
            ? ReferenceForward.Llama(llama.Config, weights, s)
            : ReferenceForward.Gpt2(((Gpt2Model)model).Config, weights, s)).ToArray();

        // Feed a 4-token left-padded prefix at once, then one token at a time through the cache.
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        const int width = 9;
        var padded = sequences.Select(s => Enumerable.Repeat(0, width - s.Length).Concat(s).ToArray()).ToArray();
        var real = sequences.Select(s => Enumerable.Repeat(0L, width - s.Length).Concat(Enumerable.Repeat(1L, s.Length)).ToArray()).ToArray();
        using var cache = model.CreateCache(2, width);
        var rows = new List<Tensor>();
        for (var (start, length) = (0, 4); start < width; (start, length) = (start + length, 1))
        {
            var ids = tensor(padded.SelectMany(p => p[start..(start + length)].Select(t => (long)t)).ToArray(), [2, length]); // (B, t)
            var mask = tensor(real.SelectMany(r => r[..(start + length)]).ToArray(), [2, start + length]); // (B, S)
            rows.Add(model.Forward(ids, mask, null, cache)); // (B, t, V)
        }

        var logits = cat(rows, 1); // (B, width, V)
        for (var b = 0; b < 2; b++)
        {
            var actual = TestModels.ToRows(logits[b].narrow(0, width - sequences[b].Length, sequences[b].Length));
            Assert.InRange(TestModels.MaxAbsDiff(expected[b], actual), 0, Tolerance);
        }
    }

    [Fact]
    public void Bfloat16_forward_stays_within_bfloat16_rounding_of_float32()
    {
        using var model = TestModels.Randomized(new LlamaModel(Variant("qwen2-bias-gqa")), seed: 2);
        var tokens = TestModels.RandomTokens(11, model.Config.VocabSize, seed: 4);
        var float32 = TestModels.Logits(model, tokens);

        model.Module.to(ScalarType.BFloat16);
        var bfloat16 = TestModels.Logits(model, tokens);

        // bf16 keeps 8 mantissa bits (relative step 2^-8 ≈ 0.4%); two layers of rounding stay well under 5% of the
        // largest logit, while any real defect (wrong dtype path, NaN) would not.
        var largest = float32.Max(row => row.Max(Math.Abs));
        Assert.Equal(ScalarType.BFloat16, model.DType);
        Assert.InRange(TestModels.MaxAbsDiff(float32, bfloat16), 1e-6, 0.05 * largest);
    }

    [Fact]
    public void Tied_embedding_is_listed_once_among_named_parameters()
    {
        using var model = new LlamaModel(TestModels.Llama() with { TieWordEmbeddings = true });

        var names = model.NamedParameters().Select(p => p.Name).ToList();

        Assert.Contains("model.embed_tokens.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(2 + 2 * 9, names.Count); // embed, norm, and per layer: 2 norms + q,k,v,o + gate,up,down
    }
}
