using AlignmentPipeline.Core.Stages;

namespace AlignmentPipeline.Modeling.Stages;

/// <summary>
/// How models move between stages. A stage that produces a model publishes a Hugging Face style folder under
/// <c>model/</c> in its output (config.json, model.safetensors, tokenizer files). An option such as <c>init:</c> or
/// <c>model:</c> names either such a stage or a path on local disk; <see cref="ResolveAsync"/> turns both into a
/// local path the loaders accept.
/// </summary>
public static class ModelArtifacts
{
    /// <summary>The folder inside a stage output that holds its model.</summary>
    public const string Folder = "model";

    /// <summary>A local file or folder for a model option value (a stage name or a path).</summary>
    public static async Task<string> ResolveAsync(StageContext context, string value, CancellationToken cancellationToken = default)
    {
        if (!context.IsStage(value))
        {
            return Path.GetFullPath(value);
        }

        var upstream = context.Upstream(value);
        var files = upstream.Files.Where(f => f.StartsWith(Folder + "/", StringComparison.Ordinal)).ToList();
        if (files.Count == 0)
        {
            throw new Core.UserErrorException($"stage '{value}' ({upstream.Kind}) publishes no model; name a stage that trains one or a model path");
        }

        string? local = null;
        foreach (string file in files)
        {
            local = await context.Storage.MaterializeAsync(upstream.Path(file), cancellationToken);
        }

        // Every file of the folder is now local; the folder is the parent of any of them at depth one below model/.
        string relative = files[^1][(Folder.Length + 1)..];
        string folder = local!;
        for (int depth = relative.Count(c => c == '/') + 1; depth > 0; depth--)
        {
            folder = Path.GetDirectoryName(folder)!;
        }

        return folder;
    }

    /// <summary>Publishes every file of a local model folder into this stage's <c>model/</c> output folder.</summary>
    public static async Task PublishAsync(StageContext context, string localFolder, CancellationToken cancellationToken = default)
    {
        foreach (string file in Directory.EnumerateFiles(localFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(localFolder, file).Replace('\\', '/');
            await using var pending = await context.Storage.CreateAsync(context.OutputPath($"{Folder}/{relative}"), cancellationToken);
            await using (var source = File.OpenRead(file))
            {
                await source.CopyToAsync(pending.Stream, cancellationToken);
            }

            await pending.CommitAsync(cancellationToken);
        }
    }
}
