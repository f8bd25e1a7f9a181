using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Tokenization;
using TorchSharp;

/// <summary>The benchmark's inputs in a temp folder: the random-weight model with a byte tokenizer, and fixed-length pairs.</summary>
internal static class BenchSetup
{
    /// <summary>Saves the seeded random model (safetensors + config + byte tokenizer) to <c>root/model</c>; returns its parameter count.</summary>
    public static long WriteModel(string root)
    {
        torch.manual_seed(BenchConfig.Seed);
        using var model = new LlamaModel(BenchConfig.Model);
        var folder = Path.Combine(root, "model");
        model.Save(folder);
        new ByteTokenizer().Save(Path.Combine(folder, ByteTokenizer.FileName));
        return ((ICausalLanguageModel)model).NamedParameters().Sum(p => p.Parameter.numel()); // tied embeddings counted once
    }

    /// <summary>Writes <see cref="BenchConfig.Pairs"/> canonical pairs of random lowercase words, every field its fixed byte length.</summary>
    public static string WritePairs(string root)
    {
        var random = new Random((int)BenchConfig.Seed);
        string Text(int bytes)
        {
            var text = new StringBuilder();
            while (text.Length < bytes)
            {
                text.Append(text.Length == 0 ? "" : " ").Append(new string(Enumerable.Range(0, 2 + random.Next(7)).Select(_ => (char)('a' + random.Next(26))).ToArray()));
            }

            return text.ToString(0, bytes);
        }

        var lines = new StringBuilder();
        for (var i = 0; i < BenchConfig.Pairs; i++)
        {
            lines.Append(new JsonObject { ["id"] = $"b{i}", ["prompt"] = Text(BenchConfig.PromptBytes), ["chosen"] = " " + Text(BenchConfig.CompletionBytes - 1), ["rejected"] = " " + Text(BenchConfig.CompletionBytes - 1) }.ToJsonString()).Append('\n');
        }

        var path = Path.Combine(root, "pairs.jsonl");
        File.WriteAllText(path, lines.ToString());
        return path;
    }

    /// <summary>(tokens, completion tokens) of one sequence as the trainers encode it (prompt + completion with BOS/EOS rules).</summary>
    public static (int Tokens, int CompletionTokens) Sequence(string root)
    {
        var loaded = TokenizerLoader.Load(Path.Combine(root, "model"));
        var ids = new PromptCompletionEncoder(loaded.Tokenizer, loaded.DefaultRules).Encode(new string('a', BenchConfig.PromptBytes), new string('b', BenchConfig.CompletionBytes));
        return (ids.PromptIds.Count + ids.CompletionIds.Count, ids.CompletionIds.Count);
    }
}
