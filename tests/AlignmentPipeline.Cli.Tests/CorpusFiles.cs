using System.Text.Json;

namespace AlignmentPipeline.Cli.Tests;

/// <summary>Writes deterministic canonical JSONL corpora for CLI tests.</summary>
internal static class CorpusFiles
{
    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path);
        for (int i = 0; i < rows; i++)
        {
            int a = random.Next(1000);
            writer.WriteLine(JsonSerializer.Serialize(new
            {
                prompt = $"Question {seed}-{i}: what is {a} plus {a}?",
                chosen = $"It is {a + a}.",
                rejected = $"It is {a + a + 1 + random.Next(5)}.",
            }));
            if (i % 997 == 0)
            {
                writer.WriteLine("{ this line is not JSON");
            }
        }
    }
}
