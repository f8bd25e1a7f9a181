using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>
/// A naive scalar forward pass in double precision over plain arrays (no TorchSharp), written from the papers and
/// llama2.c's run.c, to check the TorchSharp models. Weights use Hugging Face names and PyTorch (out, in) layout,
/// except GPT-2's Conv1D weights, which are (in, out).
/// </summary>
internal static class ReferenceForward
{
    /// <summary>Logits [T][V] of one unpadded sequence starting at position 0.</summary>
    public static double[][] Llama(LlamaConfig c, IReadOnlyDictionary<string, float[]> w, IReadOnlyList<int> tokens)
    {
        var (dim, heads, kvHeads, hd) = (c.HiddenSize, c.NumHeads, c.NumKvHeads, c.ResolvedHeadDim);
        var invFreq = InverseFrequencies(c);
        var keys = new List<double[]>[c.NumLayers];
        var values = new List<double[]>[c.NumLayers];
        for (var l = 0; l < c.NumLayers; l++)
        {
            (keys[l], values[l]) = (new List<double[]>(), new List<double[]>());
        }

        var logits = new double[tokens.Count][];
        for (var pos = 0; pos < tokens.Count; pos++)
        {
            var x = Row(w["model.embed_tokens.weight"], tokens[pos], dim);
            for (var l = 0; l < c.NumLayers; l++)
            {
                var p = $"model.layers.{l}.";
                var xb = RmsNorm(x, w[p + "input_layernorm.weight"], c.RmsNormEps);
                var q = Linear(w[p + "self_attn.q_proj.weight"], w.GetValueOrDefault(p + "self_attn.q_proj.bias"), xb, heads * hd);
                var k = Linear(w[p + "self_attn.k_proj.weight"], w.GetValueOrDefault(p + "self_attn.k_proj.bias"), xb, kvHeads * hd);
                var v = Linear(w[p + "self_attn.v_proj.weight"], w.GetValueOrDefault(p + "self_attn.v_proj.bias"), xb, kvHeads * hd);
                Rotate(q, heads, hd, pos, invFreq, c.Rotation);
                Rotate(k, kvHeads, hd, pos, invFreq, c.Rotation);
                keys[l].Add(k);
                values[l].Add(v);
                var attended = new double[heads * hd];
                for (var h = 0; h < heads; h++)
                {
                    var kvh = h / (heads / kvHeads);
                    Attend(q, h, kvh, hd, keys[l], values[l], attended);
                }

                Add(x, Linear(w[p + "self_attn.o_proj.weight"], w.GetValueOrDefault(p + "self_attn.o_proj.bias"), attended, dim));
                xb = RmsNorm(x, w[p + "post_attention_layernorm.weight"], c.RmsNormEps);
                var gate = Linear(w[p + "mlp.gate_proj.weight"], null, xb, c.IntermediateSize);
                var up = Linear(w[p + "mlp.up_proj.weight"], null, xb, c.IntermediateSize);
                var hidden = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                Add(x, Linear(w[p + "mlp.down_proj.weight"], null, hidden, dim));
            }

            var final = RmsNorm(x, w["model.norm.weight"], c.RmsNormEps);
            logits[pos] = Linear(w.GetValueOrDefault("lm_head.weight") ?? w["model.embed_tokens.weight"], null, final, c.VocabSize);
        }

        return logits;
    }

    /// <summary>Logits [T][V] of one unpadded GPT-2 sequence starting at position 0.</summary>
    public static double[][] Gpt2(Gpt2Config c, IReadOnlyDictionary<string, float[]> w, IReadOnlyList<int> tokens)
    {
        var (dim, heads) = (c.HiddenSize, c.NumHeads);
        var hd = dim / heads;
        var keys = Enumerable.Range(0, c.NumLayers).Select(_ => new List<double[]>()).ToArray();
        var values = Enumerable.Range(0, c.NumLayers).Select(_ => new List<double[]>()).ToArray();
        var logits = new double[tokens.Count][];
        for (var pos = 0; pos < tokens.Count; pos++)
        {
            var x = Row(w["transformer.wte.weight"], tokens[pos], dim);
            Add(x, Row(w["transformer.wpe.weight"], pos, dim));
            for (var l = 0; l < c.NumLayers; l++)
            {
                var p = $"transformer.h.{l}.";
                var xb = LayerNorm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], c.LayerNormEps);
                var qkv = Conv1D(w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"], xb, 3 * dim);
                keys[l].Add(qkv[dim..(2 * dim)]);
                values[l].Add(qkv[(2 * dim)..]);
                var attended = new double[dim];
                for (var h = 0; h < heads; h++)
                {
                    Attend(qkv[..dim], h, h, hd, keys[l], values[l], attended);
                }

                Add(x, Conv1D(w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"], attended, dim));
                xb = LayerNorm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], c.LayerNormEps);
                var inner = Conv1D(w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"], xb, c.ResolvedInnerSize);
                var activated = inner.Select(u => c.Activation == "gelu"
                    ? 0.5 * u * (1 + Erf(u / Math.Sqrt(2)))
                    : 0.5 * u * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)))).ToArray();
                Add(x, Conv1D(w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"], activated, dim));
            }

            var final = LayerNorm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], c.LayerNormEps);
            logits[pos] = Linear(w["transformer.wte.weight"], null, final, c.VocabSize);
        }

        return logits;
    }

    // RoPE frequencies written out from the formulas (RoFormer; Llama 3.1's scaling), independently of Rope.cs.
    private static double[] InverseFrequencies(LlamaConfig c)
    {
        var hd = c.ResolvedHeadDim;
        var result = new double[hd / 2];
        for (var i = 0; i < hd / 2; i++)
        {
            var f = Math.Pow(c.RopeTheta, -(2.0 * i) / hd);
            if (c.RopeScaling is { Type: "linear" } linear)
            {
                f /= linear.Factor;
            }
            else if (c.RopeScaling is { Type: "llama3" } s)
            {
                var wavelength = 2 * Math.PI / f;
                var ratio = s.OriginalMaxPositionEmbeddings / wavelength; // cycles within the original context
                f = ratio > s.HighFreqFactor ? f
                    : ratio < s.LowFreqFactor ? f / s.Factor
                    : Lerp(f / s.Factor, f, (ratio - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor));
            }

            result[i] = f;
        }

        return result;
    }

    private static double Lerp(double a, double b, double t) => a + (b - a) * t;

    private static void Rotate(double[] v, int heads, int hd, int pos, double[] invFreq, RopeRotation rotation)
    {
        for (var h = 0; h < heads; h++)
        {
            for (var i = 0; i < hd / 2; i++)
            {
                var (a, b) = rotation == RopeRotation.Interleaved ? (h * hd + 2 * i, h * hd + 2 * i + 1) : (h * hd + i, h * hd + i + hd / 2);
                var (cos, sin) = (Math.Cos(pos * invFreq[i]), Math.Sin(pos * invFreq[i]));
                (v[a], v[b]) = (v[a] * cos - v[b] * sin, v[a] * sin + v[b] * cos);
            }
        }
    }

    private static void Attend(double[] q, int h, int kvh, int hd, List<double[]> keys, List<double[]> values, double[] output)
    {
        var scores = keys.Select(k => Enumerable.Range(0, hd).Sum(i => q[h * hd + i] * k[kvh * hd + i]) / Math.Sqrt(hd)).ToArray();
        var max = scores.Max();
        var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
        var total = exp.Sum();
        for (var t = 0; t < keys.Count; t++)
        {
            for (var i = 0; i < hd; i++)
            {
                output[h * hd + i] += exp[t] / total * values[t][kvh * hd + i];
            }
        }
    }

    private static double[] Row(float[] matrix, int row, int width) =>
        matrix.AsSpan(row * width, width).ToArray().Select(f => (double)f).ToArray();

    private static double[] Linear(float[] weight, float[]? bias, double[] x, int outFeatures)
    {
        var y = new double[outFeatures];
        for (var o = 0; o < outFeatures; o++)
        {
            var sum = bias?[o] ?? 0.0;
            for (var i = 0; i < x.Length; i++)
            {
                sum += weight[o * x.Length + i] * x[i];
            }

            y[o] = sum;
        }

        return y;
    }

    private static double[] Conv1D(float[] weight, float[] bias, double[] x, int outFeatures)
    {
        var y = bias.Select(b => (double)b).ToArray();
        for (var i = 0; i < x.Length; i++)
        {
            for (var o = 0; o < outFeatures; o++)
            {
                y[o] += x[i] * weight[i * outFeatures + o];
            }
        }

        return y;
    }

    private static double[] RmsNorm(double[] x, float[] weight, double eps)
    {
        var scale = 1 / Math.Sqrt(x.Sum(v => v * v) / x.Length + eps);
        return x.Select((v, i) => v * scale * weight[i]).ToArray();
    }

    private static double[] LayerNorm(double[] x, float[] weight, float[] bias, double eps)
    {
        var mean = x.Average();
        var variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
        return x.Select((v, i) => (v - mean) / Math.Sqrt(variance + eps) * weight[i] + bias[i]).ToArray();
    }

    private static void Add(double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }

    // Math has no erf: Simpson's rule over 2000 intervals (error far below 1e-9 for the |u| < 10 seen here).
    private static double Erf(double u)
    {
        const int steps = 2000;
        var h = u / steps;
        var sum = 0.0;
        for (var i = 0; i <= steps; i++)
        {
            var weight = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
            sum += weight * Math.Exp(-(i * h) * (i * h));
        }

        return 2 / Math.Sqrt(Math.PI) * sum * h / 3;
    }
}
