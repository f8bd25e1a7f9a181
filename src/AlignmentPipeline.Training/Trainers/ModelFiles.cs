using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The identity of a model from its files alone, without loading it: the same SHA-256 that
/// <c>ModelLoader.Load(path).ContentHash</c> reports (each file's name, length and bytes; for a Hugging Face folder
/// config.json first, then the weights), so a reference model can be matched against a log-prob cache cheaply.
/// </summary>
internal static class ModelFiles
{
    /// <summary>Lowercase hex SHA-256 of the checkpoint files at <paramref name="path"/>.</summary>
    public static string ContentHash(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in CheckpointFiles(Path.GetFullPath(path)))
        {
            using var stream = File.OpenRead(file);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}\n{stream.Length}\n"));
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static IReadOnlyList<string> CheckpointFiles(string path)
    {
        if (File.Exists(path) && !path.EndsWith(".safetensors", StringComparison.Ordinal) && Path.GetFileName(path) != "model.safetensors.index.json")
        {
            return [path];
        }

        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(path)!;
        var config = Path.Combine(folder, "config.json");
        var single = Path.Combine(folder, "model.safetensors");
        var index = Path.Combine(folder, "model.safetensors.index.json");
        if (!File.Exists(config))
        {
            throw new UserErrorException($"model '{path}': config.json is missing; a Hugging Face model folder needs it next to the weights");
        }

        if (File.Exists(single))
        {
            return [config, single];
        }

        if (!File.Exists(index))
        {
            throw new UserErrorException($"model '{path}': neither model.safetensors nor model.safetensors.index.json is present");
        }

        var shards = JsonNode.Parse(File.ReadAllText(index))!["weight_map"]!.AsObject()
            .Select(kv => kv.Value!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal)
            .Select(name => Path.Combine(folder, name));
        return [config, index, .. shards];
    }
}
