namespace AlignmentPipeline.Training.Tests.Kto;

/// <summary>YAML stage blocks of the KTO tests: the real ref-logprobs stage over the trainer tests' sft model, and kto stages.</summary>
internal static class KtoPipelines
{
    /// <summary>A reference cache of the sft model with the mismatched KL completions (<c>kto_mismatched: true</c>).</summary>
    public const string Cache = """
          cache: { kind: ref-logprobs, input: ingest, model: sft, max_length: 64, kto_mismatched: true }

        """;

    /// <summary>The same cache without the mismatched completions, which KTO must refuse.</summary>
    public const string CacheWithoutKl = """
          plain_cache: { kind: ref-logprobs, input: ingest, model: sft, max_length: 64 }

        """;

    public static string Kto(string name, string extra, string input = "cache") => $$"""
          {{name}}:
            kind: kto
            input: {{input}}
            init: sft
            loss: { beta: 0.1, desirable_weight: 1.0, undesirable_weight: 1.0 }
            {{extra}}

        """;
}
