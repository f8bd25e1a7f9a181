namespace AlignmentPipeline.Data.Tests.Ingest;

/// <summary>Runs a single ingest stage over files in a harness.</summary>
internal static class IngestRun
{
    public static Task<PipelineHarness.Outputs> RunAsync(PipelineHarness harness, string file, string options = "") =>
        harness.RunAsync($"  ingest:\n    kind: ingest\n    inputs: [\"{file}\"]\n{Indent(options)}");

    private static string Indent(string options) =>
        string.Concat(options.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => $"    {line}\n"));
}
