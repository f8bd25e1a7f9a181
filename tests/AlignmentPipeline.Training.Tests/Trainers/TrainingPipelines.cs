namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>YAML stage blocks shared by the trainer tests: tiny byte-level models that train in seconds on 2 cores.</summary>
internal static class TrainingPipelines
{
    public static string Ingest(string dataFile) => $$"""
          ingest: { kind: ingest, inputs: ["{{dataFile}}"], format: canonical }

        """;

    public static string Sft(string name = "sft", int steps = 30, int checkpointEvery = 0, long seed = 42) => $$"""
          {{name}}:
            kind: sft
            input: ingest
            from_scratch: { dim: 32, n_layers: 2, n_heads: 4, max_seq_len: 64 }
            tokenizer: byte
            completion: random
            max_steps: {{steps}}
            batch_size: 8
            learning_rate: 0.003
            warmup_steps: {{Math.Min(3, steps)}}
            checkpoint_every: {{checkpointEvery}}
            seed: {{seed}}

        """;

    public const string Reference = """
          ref: { kind: ref-logprobs, input: ingest, model: sft, max_length: 64 }

        """;

    public static string Dpo(string name, string extra) => $$"""
          {{name}}:
            kind: dpo
            input: ref
            init: sft
            loss: { type: sigmoid, beta: 0.1 }
            {{extra}}

        """;
}
