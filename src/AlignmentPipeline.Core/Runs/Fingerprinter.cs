using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Hashing;

namespace AlignmentPipeline.Core.Runs;

/// <summary>
/// A stage's fingerprint: SHA-256 over its kind and implementation version, its canonical options, its inputs'
/// fingerprints and the content hashes of the files it reads. Same fingerprint, same output. YAML key order, comments
/// and formatting do not enter it; paths only where the output records them.
/// </summary>
public sealed class Fingerprinter(FileHashCache hashes)
{
    public async Task<IReadOnlyDictionary<string, string>> ComputeAsync(PipelineSpec pipeline, CancellationToken cancellationToken = default)
    {
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stage in pipeline.Stages)
        {
            fingerprints[stage.Name] = CanonicalJson.Sha256(await DescribeAsync(stage, fingerprints, cancellationToken));
        }

        return fingerprints;
    }

    /// <summary>The JSON document whose hash is the fingerprint (shown by <c>align plan --verbose</c>).</summary>
    public async Task<JsonObject> DescribeAsync(StageSpec stage, IReadOnlyDictionary<string, string> upstream, CancellationToken cancellationToken = default)
    {
        var files = new JsonArray();
        foreach (var reference in stage.Files)
        {
            var entries = new JsonArray();
            string root = CommonRoot(reference.Files);
            foreach (string file in reference.Files)
            {
                entries.Add(new JsonObject
                {
                    ["name"] = reference.PathInFingerprint ? Path.GetRelativePath(Environment.CurrentDirectory, file)
                        : reference.Files.Count == 1 ? "" : Path.GetRelativePath(root, file),
                    ["sha256"] = await hashes.Sha256Async(file, cancellationToken),
                });
            }

            files.Add(new JsonObject { ["key"] = reference.Key, ["files"] = entries });
        }

        return new JsonObject
        {
            ["kind"] = stage.Kind.Name,
            ["version"] = stage.Kind.Version,
            ["options"] = stage.CanonicalOptions.DeepClone(),
            ["inputs"] = new JsonArray(stage.Inputs.Select(i => (JsonNode)upstream[i]).ToArray()),
            ["references"] = new JsonObject(stage.References.OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => KeyValuePair.Create(r.Key, (JsonNode?)new JsonArray(r.Value.Select(s => (JsonNode)upstream[s]).ToArray())))),
            ["files"] = files,
        };
    }

    private static string CommonRoot(IReadOnlyList<string> files)
    {
        string root = Path.GetDirectoryName(files[0])!;
        while (!files.All(f => f.StartsWith(root + "/", StringComparison.Ordinal)))
        {
            root = Path.GetDirectoryName(root)!;
        }

        return root;
    }
}
