using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The tokenizer of a trainer and the files that carry it into the published model folder, so the next stage
/// (dpo, ref-logprobs, generate) finds it with <see cref="TokenizerLoader"/>.
/// </summary>
/// <param name="Loaded">The tokenizer and its BOS/EOS rules.</param>
/// <param name="Files">Tokenizer files to copy beside the weights (empty for the byte tokenizer, which is written).</param>
internal sealed record TokenizerSource(LoadedTokenizer Loaded, IReadOnlyList<string> Files)
{
    private static readonly string[] KnownFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", ByteTokenizer.FileName, "tokenizer.bin", "tokenizer.model"];

    /// <summary>
    /// <paramref name="option"/> 'byte', a tokenizer file or folder, or null for the tokenizer in the folder of
    /// <paramref name="modelPath"/> (a model folder, or the folder of a model file).
    /// </summary>
    public static TokenizerSource Resolve(string? option, string? modelPath)
    {
        if (option == "byte")
        {
            return new(new LoadedTokenizer(new ByteTokenizer(), new SpecialTokenRules(), ChatTemplate: null, "byte"), []);
        }

        var path = option ?? (modelPath is null ? null : Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(modelPath));
        if (path is null)
        {
            throw new UserErrorException("no tokenizer: set 'tokenizer' to 'byte' or to a tokenizer file or folder");
        }

        try
        {
            var loaded = TokenizerLoader.Load(path);
            var files = Directory.Exists(path)
                ? KnownFiles.Select(f => Path.Combine(path, f)).Where(File.Exists).ToList()
                : [path];
            return new(loaded, files);
        }
        catch (FileNotFoundException e)
        {
            throw new UserErrorException($"tokenizer: {e.Message} Set 'tokenizer' to 'byte' or to a tokenizer file or folder.", e);
        }
    }

    /// <summary>The encoder every trainer uses (the same rule as the reference cache).</summary>
    public PromptCompletionEncoder Encoder => new(Loaded.Tokenizer, Loaded.DefaultRules);

    /// <summary>Writes the tokenizer into a model folder.</summary>
    public void WriteTo(string modelFolder)
    {
        if (Loaded.Tokenizer is ByteTokenizer bytes && Files.Count == 0)
        {
            bytes.Save(Path.Combine(modelFolder, ByteTokenizer.FileName));
            return;
        }

        foreach (var file in Files)
        {
            File.Copy(file, Path.Combine(modelFolder, FolderName(file)), overwrite: true);
        }
    }

    /// <summary>
    /// The name a tokenizer file gets in a model folder: its own when <see cref="TokenizerLoader"/> looks for it there,
    /// else the name it looks for (a llama2.c <c>tok512.bin</c> becomes <c>tokenizer.bin</c>), so the next stage finds it.
    /// </summary>
    private static string FolderName(string file) => Path.GetFileName(file) switch
    {
        var name when KnownFiles.Contains(name) => name,
        var name when name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) => "tokenizer.bin",
        var name when name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) => "tokenizer.json",
        var name => name,
    };
}
