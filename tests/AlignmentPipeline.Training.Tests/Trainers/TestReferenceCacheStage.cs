using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Training.Stages;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>
/// A stand-in for the <c>ref-logprobs</c> stage while it is being written: scores every pair's completions with the
/// one log-prob function in inference mode and writes the cache layout the dpo stage reads (pair columns plus
/// ref_chosen_logp, ref_rejected_logp, chosen_tokens, rejected_tokens; cache_key and its components in the manifest).
/// </summary>
internal sealed class TestReferenceCacheStage(TestReferenceCacheStage.Options options) : IStage
{
    public sealed record Options
    {
        [Required]
        [PathOrStage]
        public string? Model { get; init; }
    }

    public static StageKind Kind { get; } = StageKind.Define<Options>(
        "test-ref-logprobs", 1, "test double of the reference cache", InputArity.One, o => new TestReferenceCacheStage(o));

    private static readonly TableSchema<Row> Schema = new TableSchema<Row>()
        .String("id", r => r.Pair.Id)
        .String("prompt", r => r.Pair.Prompt)
        .String("chosen", r => r.Pair.Chosen)
        .String("rejected", r => r.Pair.Rejected)
        .String("source", r => r.Pair.Source)
        .String("metadata", r => r.Pair.Metadata)
        .String("format", r => r.Pair.Format)
        .Double(CachedPair.RefChosenColumn, r => r.Chosen.Sum)
        .Double(CachedPair.RefRejectedColumn, r => r.Rejected.Sum)
        .Int(CachedPair.ChosenTokensColumn, r => r.Chosen.TokenCount)
        .Int(CachedPair.RejectedTokensColumn, r => r.Rejected.TokenCount);

    private JsonObject? components;

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var path = await ModelArtifacts.ResolveAsync(stage, options.Model!, cancellationToken);
        var tokenizer = TokenizerSource.Resolve(null, path);
        using var model = ModelLoader.Load(path, ModelRuntimeOptions.Cpu).Model;
        var pairs = await CachedPair.ReadAsync(stage.Storage, stage.Inputs[0], requireReference: false, "train", cancellationToken);
        await using var writer = await ParquetTableWriter<Row>.CreateAsync(stage.Storage, context.PartPath, Schema, cancellationToken: cancellationToken);
        foreach (var chunk in pairs.Select(p => p.Pair).Chunk(16))
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var requests = chunk.Select(p => tokenizer.Encoder.Encode(p.Prompt, p.Chosen))
                .Concat(chunk.Select(p => tokenizer.Encoder.Encode(p.Prompt, p.Rejected)))
                .Select(ids => new LogProbRequest(ids.PromptIds, ids.CompletionIds)).ToArray();
            var scored = CompletionLogProbs.Compute(model, requests, LogProbMode.Inference).ToSequences();
            for (var i = 0; i < chunk.Length; i++)
            {
                await writer.WriteAsync(new Row(chunk[i], scored[i], scored[chunk.Length + i]), cancellationToken);
            }
        }

        await writer.CompleteAsync(cancellationToken);
        components = new JsonObject
        {
            ["weights_hash"] = ModelFiles.ContentHash(path),
            ["tokenizer_hash"] = tokenizer.Loaded.Tokenizer.ContentHash,
        };
        return new TaskResult(new StageCounters(pairs.Count, pairs.Count, new Dictionary<string, long>()), new JsonObject { ["components"] = components.DeepClone() });
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var recorded = tasks[0].Extra!["components"]!.AsObject();
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recorded.ToJsonString())));
        var metadata = new JsonObject { ["cache_key"] = key, ["cache_key_components"] = recorded.DeepClone() };
        return Task.FromResult(new StageSummary(StageCounters.Sum(tasks.Select(t => t.Counters)), null, metadata));
    }

    private sealed record Row(PreferencePair Pair, SequenceLogProb Chosen, SequenceLogProb Rejected);
}
