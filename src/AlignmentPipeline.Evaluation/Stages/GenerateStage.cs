using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Generation;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Modeling.Templates;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// <c>kind: generate</c>: every model of <see cref="GenerateOptions.Models"/> answers every prompt. Task i runs model i and
/// writes <c>part-i</c> with <c>prompt_id</c>, <c>prompt</c>, <c>model</c>, <c>response</c>, <c>response_tokens</c> in prompt
/// order; with prompts from a pair stage, task 0 also writes the dataset's chosen responses as model
/// <c>dataset_chosen</c>. Prompts go through the chat template and the tokenizer's BOS rule, then through
/// <see cref="TextGenerator"/> in batches of <c>batch_size</c> (left-padded, KV cache); batch k samples with seed
/// <c>seed + k·φ</c> (φ = 2⁶⁴/golden ratio), so the output is a function of the options and prompts. Prompts whose
/// tokens plus <c>max_new_tokens</c> exceed the model's positions are quarantined as <c>prompt_too_long</c>; prompts
/// the template rejects as <c>template_error</c>.
/// </summary>
public sealed class GenerateStage(GenerateOptions options) : IStage
{
    /// <summary>The registered kind.</summary>
    public static StageKind Kind { get; } = StageKind.Define<GenerateOptions>(
        "generate", 1, "Generates responses to prompts (from a pair stage or a file) with one or more models; seeded and batched.",
        InputArity.None, o => new GenerateStage(o), parallelTasks: false);

    private const ulong GoldenGamma = 0x9E3779B97F4A7C15;

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => options.Models.Count;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var name = options.NameOf(context.TaskIndex);
        var modelPath = await ModelArtifacts.ResolveAsync(stage, options.Models[context.TaskIndex], cancellationToken);
        var vocabulary = ReferenceModelFiles.LoadTokenizer(ReferenceModelFiles.ResolveTokenizer(modelPath, options.Tokenizer));
        var tokenizer = vocabulary.Tokenizer;
        var encoder = new PromptCompletionEncoder(tokenizer, new SpecialTokenRules(options.AddBos ?? vocabulary.DefaultRules.AddBos, AddEos: false));
        var template = ChatTemplates.BuiltIn(options.Template);
        var loaded = ModelLoader.Load(modelPath, options.Runtime);
        using var model = loaded.Model;
        var sampling = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopK = options.TopK,
            TopP = options.TopP,
            StopTokens = tokenizer.EosId is { } eos ? [eos] : [],
        };
        var writeChosen = context.TaskIndex == 0 && stage.IsStage(options.Prompts);

        await using var output = await ParquetTableWriter<GeneratedResponse>.CreateAsync(stage.Storage, context.PartPath, GeneratedResponse.Schema, cancellationToken: cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(stage.Storage, context.QuarantinePath, QuarantinedRow.Schema, cancellationToken: cancellationToken);
        using var progress = stage.Progress.Start($"{stage.StageName} {name}", "prompts", options.MaxPrompts);
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var batch = new List<(PromptItem Item, string Text, IReadOnlyList<int> Ids)>();
        long rowsIn = 0, generatedTokens = 0, responses = 0, chosenRows = 0;
        var batches = 0;
        var clock = Stopwatch.StartNew();

        async Task FlushAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            var seeded = sampling with { Seed = unchecked((ulong)options.Seed + (ulong)batches * GoldenGamma) };
            var ids = TextGenerator.Generate(model, batch.Select(b => b.Ids).ToList(), seeded);
            for (var k = 0; k < batch.Count; k++)
            {
                var (text, tokens) = StopStrings.Cut(tokenizer, ids[k], options.Stop);
                generatedTokens += ids[k].Length;
                responses++;
                await output.WriteAsync(new GeneratedResponse(batch[k].Item.Id, batch[k].Text, name, text, tokens), cancellationToken);
            }

            progress.Advance(batch.Count);
            batches++;
            batch.Clear();
        }

        async Task DropAsync(PromptItem item, string reason, string detail)
        {
            dropped[reason] = dropped.GetValueOrDefault(reason) + 1;
            progress.Advance();
            await quarantine.WriteAsync(new QuarantinedRow(item.Id, reason, $"{name}: {detail}", item.Prompt), cancellationToken);
        }

        await foreach (var item in PromptSource.ReadAsync(stage, options.Prompts, options.Split, options.MaxPrompts, cancellationToken))
        {
            rowsIn++;
            var plain = PairText.Plain(item.Prompt, item.Format);
            if (writeChosen && item.Chosen is { } chosen)
            {
                var chosenText = PairText.Plain(chosen, item.Format);
                chosenRows++;
                await output.WriteAsync(new GeneratedResponse(item.Id, plain, GenerateOptions.DatasetChosen, chosenText, tokenizer.Encode(chosenText).Count), cancellationToken);
            }

            string rendered;
            try
            {
                rendered = PairText.RenderPrompt(template, item.Prompt, item.Format);
            }
            catch (Exception e) when (e is FormatException or ChatTemplateException)
            {
                await DropAsync(item, "template_error", e.Message);
                continue;
            }

            var promptIds = encoder.EncodePrompt(rendered);
            if (promptIds.Count == 0)
            {
                await DropAsync(item, "empty_prompt", "the prompt encodes to no tokens and the tokenizer adds no BOS");
                continue;
            }

            if (promptIds.Count + options.MaxNewTokens - 1 > model.Config.MaxSequenceLength)
            {
                await DropAsync(item, "prompt_too_long",
                    $"{promptIds.Count} prompt tokens + max_new_tokens {options.MaxNewTokens} exceed the model's {model.Config.MaxSequenceLength} positions");
                continue;
            }

            batch.Add((item, plain, promptIds));
            if (batch.Count == options.BatchSize)
            {
                await FlushAsync();
            }
        }

        await FlushAsync();
        await output.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        stage.Log.Info($"{stage.StageName}: {name} answered {responses} prompts with {generatedTokens} tokens in {seconds:F1} s");
        return new TaskResult(new StageCounters(rowsIn, output.RowsWritten, dropped), new JsonObject
        {
            ["model"] = name,
            ["weights_hash"] = loaded.ContentHash,
            ["tokenizer_hash"] = tokenizer.ContentHash,
            ["responses"] = responses,
            ["generated_tokens"] = generatedTokens,
            ["dataset_chosen_rows"] = chosenRows,
            ["seconds"] = seconds,
        });
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var models = new JsonObject();
        foreach (var extra in tasks.Select(t => t.Extra!))
        {
            var responses = extra["responses"]!.GetValue<long>();
            var tokens = extra["generated_tokens"]!.GetValue<long>();
            var seconds = extra["seconds"]!.GetValue<double>();
            models[extra["model"]!.GetValue<string>()] = new JsonObject
            {
                ["responses"] = responses,
                ["generated_tokens"] = tokens,
                ["mean_response_tokens"] = responses == 0 ? 0 : (double)tokens / responses,
                ["tokens_per_second"] = seconds > 0 ? tokens / seconds : 0,
                ["weights_hash"] = extra["weights_hash"]!.GetValue<string>(),
            };
        }

        var names = Enumerable.Range(0, options.Models.Count).Select(options.NameOf).ToList();
        var hasChosen = tasks.Sum(t => t.Extra!["dataset_chosen_rows"]!.GetValue<long>()) > 0;
        return Task.FromResult(new StageSummary(
            StageCounters.Sum(tasks.Select(t => t.Counters)),
            new JsonObject { ["sampling"] = Sampling(), ["models"] = models },
            new JsonObject
            {
                ["models"] = new JsonArray([.. (hasChosen ? names.Append(GenerateOptions.DatasetChosen) : names).Select(n => JsonValue.Create(n))]),
                ["sampling"] = Sampling(),
            }));
    }

    private JsonObject Sampling() => new()
    {
        ["template"] = options.Template,
        ["max_new_tokens"] = options.MaxNewTokens,
        ["temperature"] = options.Temperature,
        ["top_k"] = options.TopK,
        ["top_p"] = options.TopP,
        ["seed"] = options.Seed,
        ["batch_size"] = options.BatchSize,
        ["stop"] = new JsonArray([.. options.Stop.Select(s => JsonValue.Create(s))]),
        ["split"] = options.Split.ToString().ToLowerInvariant(),
    };
}
