using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>Loads a tokenizer from a file or a model directory, picking the format from names and content.</summary>
public static class TokenizerLoader
{
    /// <summary>
    /// Loads <paramref name="path"/>. A directory is searched in this order: <c>tokenizer.json</c> (with
    /// <c>tokenizer_config.json</c> beside it), <see cref="ByteTokenizer.FileName"/>, <c>tokenizer.bin</c>. A file is read
    /// by its content (a JSON with <c>"model"</c> is a Hugging Face tokenizer, with <c>"type": "byte"</c> a byte
    /// tokenizer) or its extension (<c>.gguf</c>: the embedded vocabulary; <c>.bin</c>: llama2.c).
    /// </summary>
    /// <param name="path">A tokenizer file or a directory holding one.</param>
    /// <param name="readGgufMetadata">Reads a GGUF file's metadata (e.g. <c>p =&gt; GgufFile.Read(p).Metadata</c>); required only for <c>.gguf</c>.</param>
    /// <exception cref="FileNotFoundException">Nothing loadable is at <paramref name="path"/>.</exception>
    public static LoadedTokenizer Load(string path, Func<string, IReadOnlyDictionary<string, object>>? readGgufMetadata = null)
    {
        if (Directory.Exists(path))
        {
            var file = new[] { "tokenizer.json", ByteTokenizer.FileName, "tokenizer.bin" }
                .Select(name => Path.Combine(path, name)).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException(
                    $"{path}: no tokenizer found; looked for tokenizer.json, {ByteTokenizer.FileName} and tokenizer.bin. " +
                    "Pass the tokenizer file itself when it has another name.", path);
            return LoadFile(file, readGgufMetadata);
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such tokenizer file or directory.", path);
        }
        return LoadFile(path, readGgufMetadata);
    }

    private static LoadedTokenizer LoadFile(string path, Func<string, IReadOnlyDictionary<string, object>>? readGgufMetadata)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".json")
        {
            var json = ParseObject(path);
            if (ByteTokenizer.IsByteTokenizer(json))
            {
                var bytes = ByteTokenizer.Load(path);
                return new LoadedTokenizer(bytes, new SpecialTokenRules(), ChatTemplate: null, "byte");
            }
            var config = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json");
            return HuggingFaceTokenizer.Load(path, File.Exists(config) ? config : null);
        }
        if (extension == ".gguf")
        {
            if (readGgufMetadata is null)
            {
                throw new ArgumentNullException(nameof(readGgufMetadata),
                    $"{path}: loading a GGUF tokenizer needs a metadata reader, e.g. p => GgufFile.Read(p).Metadata.");
            }
            var metadata = readGgufMetadata(path);
            var addBos = !metadata.TryGetValue("tokenizer.ggml.add_bos_token", out var flag) || flag is true;
            var tokenizer = GgufTokenizer.Create(GgufVocabulary.FromMetadata(metadata));
            var template = metadata.TryGetValue("tokenizer.chat_template", out var t) ? t as string : null;
            return new LoadedTokenizer(tokenizer, new SpecialTokenRules(AddBos: addBos), template, "gguf");
        }
        if (extension == ".bin")
        {
            return new LoadedTokenizer(Llama2cTokenizer.Load(path), new SpecialTokenRules(), ChatTemplate: null, "llama2c");
        }
        throw new NotSupportedException(
            $"{path}: unknown tokenizer format '{extension}'; supported are tokenizer.json, {ByteTokenizer.FileName}, llama2.c .bin and .gguf.");
    }

    private static JsonObject ParseObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }
}
