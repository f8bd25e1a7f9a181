namespace AlignmentPipeline.Core.Stages;

/// <summary>The stage kinds a pipeline may use, by name. Immutable once built.</summary>
public sealed class StageRegistry
{
    private readonly Dictionary<string, StageKind> kinds;

    public StageRegistry(IEnumerable<StageKind> kinds)
    {
        this.kinds = new Dictionary<string, StageKind>(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            if (!this.kinds.TryAdd(kind.Name, kind))
            {
                throw new InvalidOperationException($"Stage kind '{kind.Name}' is registered twice.");
            }
        }
    }

    public IEnumerable<StageKind> All => kinds.Values.OrderBy(k => k.Name, StringComparer.Ordinal);

    public IEnumerable<string> Names => kinds.Keys;

    public bool TryGet(string name, out StageKind kind) => kinds.TryGetValue(name, out kind!);
}
