using System.Text;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Tokenization;
using static TorchSharp.torch;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

/// <summary>
/// A one-layer Llama reward model whose reward can be worked out by hand: it rises with the share of '!' in the text.
/// Width C = 8. Embeddings: '!' → e₁, EOS → e₂, every other token → e₀ (a = 1). q_proj = k_proj = 0, so attention is
/// uniform over the T tokens; v_proj = o_proj = I; the MLP and lm_head are 0; norm gains 1; score = e₁. Each input
/// norm maps a·e_k to s·e_k with s = 1/√(1/8 + ε), so the last (EOS) position holds x = e₂ + s·(n₀, n₁, n₂)/T and
/// reward = x₁ / √(mean(x²) + ε), with n₁ the '!' count, n₂ = 1 (EOS) and n₀ = T − n₁ − 1 (BOS and the other bytes).
/// </summary>
internal static class ExclamationRewardModel
{
    private const int C = 8;
    private const double Eps = 1e-5;

    /// <summary>Saves the model with a byte tokenizer into <paramref name="directory"/>.</summary>
    public static string Save(string directory)
    {
        var tokenizer = new ByteTokenizer();
        var backbone = new LlamaModel(new LlamaConfig
        {
            VocabSize = tokenizer.VocabSize, HiddenSize = C, IntermediateSize = C, NumLayers = 1, NumHeads = 2, NumKvHeads = 2, MaxSequenceLength = 256,
        });
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var (name, parameter) in backbone.NamedParameters())
            {
                parameter.zero_();
                if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                {
                    parameter.fill_(1);
                }
                else if (name.EndsWith("v_proj.weight", StringComparison.Ordinal) || name.EndsWith("o_proj.weight", StringComparison.Ordinal))
                {
                    parameter.copy_(eye(C));
                }
                else if (name == "model.embed_tokens.weight")
                {
                    parameter[.., 0] = ones(tokenizer.VocabSize);
                    parameter['!', 0] = 0;
                    parameter['!', 1] = 1;
                    parameter[tokenizer.EosId!.Value, 0] = 0;
                    parameter[tokenizer.EosId!.Value, 2] = 1;
                }
            }
        }

        using var scoreWeight = zeros(1, C);
        scoreWeight[0, 1] = 1;
        using var model = new ScalarRewardModel(backbone, scoreWeight);
        Directory.CreateDirectory(directory);
        model.Save(directory);
        tokenizer.Save(Path.Combine(directory, ByteTokenizer.FileName));
        return directory;
    }

    /// <summary>The reward of <paramref name="response"/> to <paramref name="prompt"/> by the formula in the class summary.</summary>
    public static double Reward(string prompt, string response)
    {
        var bytes = Encoding.UTF8.GetBytes(prompt + response);
        double T = bytes.Length + 2; // BOS + bytes + EOS
        double n1 = bytes.Count(b => b == '!'), n2 = 1, n0 = T - n1 - n2;
        var s = 1 / Math.Sqrt(1.0 / C + Eps);
        double[] x = [s * n0 / T, s * n1 / T, 1 + s * n2 / T];
        return x[1] / Math.Sqrt(x.Sum(v => v * v) / C + Eps);
    }
}
