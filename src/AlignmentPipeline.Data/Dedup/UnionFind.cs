namespace AlignmentPipeline.Data.Dedup;

/// <summary>Disjoint sets over row ordinals whose root is always the least ordinal of its set (path halving).</summary>
internal sealed class UnionFind
{
    private readonly int[] parent;

    public UnionFind(int count)
    {
        parent = new int[count];
        for (int i = 0; i < count; i++)
        {
            parent[i] = i;
        }
    }

    public int Find(int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }

        return x;
    }

    public void Union(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra != rb)
        {
            parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
        }
    }
}
