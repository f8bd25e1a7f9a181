using System.Buffers.Binary;
using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Training.Tests.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.RewardModel;

/// <summary>
/// The scalar head on tiny random backbones: its arithmetic, padding, and the saved folder. Serial with the trainer tests:
/// they seed torch's process-wide generator, which the fresh head draws from.
/// </summary>
[Collection(nameof(TrainerCollection))]
public sealed class ScalarRewardModelTests
{
    private static readonly int[][] Sequences = [[1, 5, 9, 2], [3, 7], [4, 4, 8, 12, 6, 0, 11], [10]];

    private static LlamaModel TinyLlama(long seed)
    {
        torch.manual_seed(seed);
        return new LlamaModel(new LlamaConfig
        {
            VocabSize = 16, HiddenSize = 16, IntermediateSize = 32, NumLayers = 2, NumHeads = 4, NumKvHeads = 2, MaxSequenceLength = 32,
        });
    }

    private static Gpt2Model TinyGpt2(long seed)
    {
        torch.manual_seed(seed);
        return new Gpt2Model(new Gpt2Config { VocabSize = 16, HiddenSize = 16, NumLayers = 2, NumHeads = 4, MaxSequenceLength = 32 });
    }

    private static float[] Rewards(ScalarRewardModel model, IReadOnlyList<int[]> sequences)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return model.Rewards(sequences).data<float>().ToArray();
    }

    [Fact]
    public void Reward_is_the_head_dot_the_last_tokens_hidden_state_whatever_the_batch_padding()
    {
        using var model = new ScalarRewardModel(TinyLlama(3));
        var batched = Rewards(model, Sequences); // one right-padded forward of all four

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var w = model.ScoreWeight.data<float>().ToArray(); // (C)
        for (var b = 0; b < Sequences.Length; b++)
        {
            // Naive: the sequence alone, its last row of hidden states, and a scalar dot product in float64.
            var ids = Sequences[b];
            var hidden = model.ForwardHidden(torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length])); // (1, T, C)
            var last = hidden[0, ids.Length - 1].data<float>().ToArray(); // (C)
            var expected = last.Select((h, c) => (double)h * w[c]).Sum();
            Assert.Equal(expected, batched[b], 1e-5);
        }
    }

    [Fact]
    public void A_fresh_head_is_seeded_small_and_listed_after_the_backbone()
    {
        var backbone = TinyLlama(3);
        var other = TinyLlama(3);
        var backboneNames = backbone.NamedParameters().Select(p => p.Name).ToList();
        torch.manual_seed(5);
        using var first = new ScalarRewardModel(backbone);
        torch.manual_seed(5);
        using var second = new ScalarRewardModel(other);
        Assert.Equal(first.ScoreWeight.data<float>().ToArray(), second.ScoreWeight.data<float>().ToArray());
        Assert.Equal([1L, 16L], first.ScoreWeight.shape);
        Assert.All(first.ScoreWeight.data<float>().ToArray(), v => Assert.InRange(Math.Abs(v), 0, 0.02 * 5)); // N(0, 0.02²): within 5σ
        Assert.Equal([.. backboneNames, ScalarRewardModel.ScoreWeightName], first.NamedParameters().Select(p => p.Name));
    }

    [Theory]
    [InlineData("llama", "LlamaForSequenceClassification")]
    [InlineData("gpt2", "GPT2ForSequenceClassification")]
    public void A_saved_reward_model_reloads_with_equal_rewards_and_its_backbone_loads_as_a_causal_lm(string type, string architecture)
    {
        using var temp = new TempDirectory("align-rm");
        ICausalLanguageModel backbone = type == "llama" ? TinyLlama(4) : TinyGpt2(4);
        using var model = new ScalarRewardModel(backbone);
        model.Save(temp.Path);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "config.json")))!;
        Assert.Equal(architecture, config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("LABEL_0", config["id2label"]!["0"]!.GetValue<string>());
        var header = SafetensorsHeader(Path.Combine(temp.Path, "model.safetensors"));
        Assert.Equal("[1,16]", header[ScalarRewardModel.ScoreWeightName]!["shape"]!.ToJsonString());

        var (reloaded, hash) = ScalarRewardModel.Load(temp.Path, ModelRuntimeOptions.Cpu);
        using (reloaded)
        {
            Assert.Equal(Rewards(model, Sequences), Rewards(reloaded, Sequences));
            Assert.Equal(ModelLoader.Load(temp.Path, ModelRuntimeOptions.Cpu).ContentHash, hash);
        }

        using var lm = ModelLoader.Load(temp.Path, ModelRuntimeOptions.Cpu).Model;
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(new long[] { 1, 5, 9, 2 }, [1, 4]);
        Assert.Equal(backbone.Forward(ids).data<float>().ToArray(), lm.Forward(ids).data<float>().ToArray());
    }

    [Fact]
    public void Loading_a_plain_causal_lm_as_a_reward_model_names_the_missing_head()
    {
        using var temp = new TempDirectory("align-rm");
        using (var lm = TinyLlama(4))
        {
            lm.Save(temp.Path);
        }

        var error = Assert.Throws<ModelFormatException>(() => ScalarRewardModel.Load(temp.Path, ModelRuntimeOptions.Cpu));
        Assert.Contains("'score.weight' is missing", error.Message);
    }

    private static JsonObject SafetensorsHeader(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
        return JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
    }
}
