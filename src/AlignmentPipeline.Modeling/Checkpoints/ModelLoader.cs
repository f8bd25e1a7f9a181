using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using TorchSharp;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>A loaded model and the identity of the files it came from.</summary>
/// <param name="Model">The model on the requested device and dtype, in eval mode.</param>
/// <param name="ContentHash">Lowercase hex SHA-256 of the weight files and config; use it in cache keys.</param>
/// <param name="Format"><c>huggingface</c>, <c>gguf</c> or <c>llama2c</c>.</param>
public sealed record LoadedModel(ICausalLanguageModel Model, string ContentHash, string Format);

/// <summary>Loads any supported checkpoint, choosing the format by folder, extension and magic bytes.</summary>
public static class ModelLoader
{
    private static int loadCount;

    /// <summary>Models loaded by this process so far (tests use it to prove a stage never loaded a model).</summary>
    public static int LoadCount => Volatile.Read(ref loadCount);

    /// <summary>
    /// Loads <paramref name="path"/>: a Hugging Face folder (config.json + model.safetensors or a sharded index), a
    /// <c>.safetensors</c> file or <c>model.safetensors.index.json</c> with config.json beside it, a <c>.gguf</c>
    /// file, or a llama2.c legacy <c>.bin</c>. Throws <see cref="ModelFormatException"/> for malformed or
    /// unsupported files and <see cref="FileNotFoundException"/> when nothing is there.
    /// </summary>
    public static LoadedModel Load(string path, ModelRuntimeOptions runtime)
    {
        var device = runtime.ResolveDevice();
        var dtype = runtime.ResolveDType();
        runtime.ApplyThreads();
        Interlocked.Increment(ref loadCount);

        var (model, files, format) = LoadOnCpu(Path.GetFullPath(path));
        model.Module.to(device, dtype).eval();
        return new LoadedModel(model, ContentHash.Of(files), format);
    }

    private static (ICausalLanguageModel Model, IReadOnlyList<string> Files, string Format) LoadOnCpu(string path)
    {
        if (Directory.Exists(path))
        {
            return LoadHf(path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model path '{path}' is neither a file nor a folder", path);
        }

        var name = Path.GetFileName(path);
        if (name.EndsWith(".safetensors", StringComparison.Ordinal) || name == "model.safetensors.index.json")
        {
            return LoadHf(Path.GetDirectoryName(path)!);
        }

        var magic = new byte[4];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        }

        if (magic.AsSpan().SequenceEqual("GGUF"u8))
        {
            return (GgufCheckpoint.Load(path), [path], "gguf");
        }

        if (magic.AsSpan(0, 2).SequenceEqual("PK"u8))
        {
            throw new ModelFormatException(path, "PyTorch pickle (zip) checkpoints are not supported; convert to safetensors");
        }

        if (name.EndsWith(".bin", StringComparison.Ordinal))
        {
            return (Llama2cCheckpoint.Load(path), [path], "llama2c");
        }

        throw new ModelFormatException(path, "unrecognized model file: expected a Hugging Face folder, .safetensors, .gguf or llama2.c .bin");
    }

    private static (ICausalLanguageModel, IReadOnlyList<string>, string) LoadHf(string directory)
    {
        var (config, weights) = HfCheckpoint.Locate(directory);
        return (HfCheckpoint.Load(directory), [config, .. weights], "huggingface");
    }
}
