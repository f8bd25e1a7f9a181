using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Generation;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align model info|generate|logprob</c>: look at and try a model from local disk.</summary>
internal static class ModelCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("model", "Inspect and run a model: a Hugging Face folder, .safetensors, .gguf or llama2.c .bin.")
        {
            Info(cli), Generate(cli), LogProb(cli),
        };
        return command;
    }

    private static Argument<string> ModelArgument() => new("model") { Description = "Model folder or file." };

    private static Option<string?> TokenizerOption() => new("--tokenizer") { Description = "Tokenizer file or folder (required for llama2.c .bin; default: the model's own)." };

    private static Option<string> DeviceOption() => new("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "auto" };

    private static Command Info(CliContext cli)
    {
        var model = ModelArgument();
        var tokenizer = TokenizerOption();
        var json = CommonOptions.Json();
        var command = new Command("info", "Architecture, parameter count, dtype, tokenizer and template of a model.\n\n" +
                                          "Example:\n  align model info ../shared/data/models/stories260K/stories260K.gguf")
        {
            model, tokenizer, json,
        };
        command.SetAction(parse =>
        {
            string path = RequireExists(parse.GetValue(model)!);
            var loaded = Load(path, "cpu");
            using var modelForInfo = loaded.Model;
            var config = loaded.Model.Config;
            long parameters = loaded.Model.NamedParameters().Sum(p => p.Parameter.numel());
            string? tokenizerPath = TryResolveTokenizer(path, parse.GetValue(tokenizer));
            var tok = tokenizerPath is null ? null : ReferenceModelFiles.LoadTokenizer(tokenizerPath);
            var info = new JsonObject
            {
                ["path"] = path,
                ["format"] = loaded.Format,
                ["architecture"] = config.ModelType,
                ["parameters"] = parameters,
                ["dtype"] = loaded.Model.DType.ToString().ToLowerInvariant(),
                ["max_sequence_length"] = config.MaxSequenceLength,
                ["content_hash"] = loaded.ContentHash,
                ["tokenizer"] = tok is null ? null : new JsonObject
                {
                    ["path"] = tokenizerPath,
                    ["format"] = tok.Format,
                    ["vocab_size"] = tok.Tokenizer.VocabSize,
                    ["bos_id"] = tok.Tokenizer.BosId,
                    ["eos_id"] = tok.Tokenizer.EosId,
                    ["add_bos"] = tok.DefaultRules.AddBos,
                    ["add_eos"] = tok.DefaultRules.AddEos,
                },
                ["chat_template"] = tok?.ChatTemplate is null ? "none (use a built-in: chatml, llama2, llama3, zephyr)" : "from tokenizer_config.json",
                ["config"] = config.ToHfConfigJson(),
            };
            cli.Out.WriteLine(parse.GetValue(json)
                ? info.ToJsonString(Output.Indented)
                : string.Join(Environment.NewLine, info.Where(p => p.Key != "config").Select(p => $"{p.Key}: {p.Value?.ToJsonString(Output.Indented)}")));
            return 0;
        });
        return command;
    }

    private static Command Generate(CliContext cli)
    {
        var model = ModelArgument();
        var tokenizer = TokenizerOption();
        var prompt = new Option<string>("--prompt") { Description = "Text to continue (default: empty, i.e. start from BOS).", DefaultValueFactory = _ => "" };
        var temperature = new Option<double>("--temperature") { Description = "0 is greedy.", DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass in (0, 1].", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens; 0 disables.", DefaultValueFactory = _ => 0 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most new tokens.", DefaultValueFactory = _ => 256 };
        var seed = new Option<ulong>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0UL };
        var device = DeviceOption();
        var command = new Command("generate", "Generate text (KV cache; stops at EOS or BOS).\n\nExample:\n" +
                                              "  align model generate ../shared/data/models/stories260K/stories260K.bin --tokenizer ../shared/data/models/stories260K/tok512.bin --temperature 0")
        {
            model, tokenizer, prompt, temperature, topP, topK, maxTokens, seed, device,
        };
        command.SetAction(parse =>
        {
            string path = RequireExists(parse.GetValue(model)!);
            var tok = ReferenceModelFiles.LoadTokenizer(ReferenceModelFiles.ResolveTokenizer(path, parse.GetValue(tokenizer)));
            var loaded = Load(path, parse.GetValue(device)!);
            var promptIds = new PromptCompletionEncoder(tok.Tokenizer, tok.DefaultRules with { AddBos = true }).EncodePrompt(parse.GetValue(prompt)!);
            var stops = new[] { tok.Tokenizer.EosId, tok.Tokenizer.BosId }.OfType<int>().Distinct().ToList();
            var options = new GenerationOptions
            {
                MaxNewTokens = parse.GetValue(maxTokens),
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                TopK = parse.GetValue(topK),
                Seed = parse.GetValue(seed),
                StopTokens = stops,
            };
            if (options.Validate() is { Count: > 0 } problems)
            {
                throw new UserErrorException(string.Join("; ", problems));
            }

            using var network = loaded.Model;
            var generated = TextGenerator.Generate(loaded.Model, [promptIds], options)[0];
            cli.Out.WriteLine(tok.Tokenizer.Decode([.. promptIds, .. generated.Where(t => !stops.Contains(t))]));
            return 0;
        });
        return command;
    }

    private static Command LogProb(CliContext cli)
    {
        var model = ModelArgument();
        var tokenizer = TokenizerOption();
        var text = new Option<string>("--text") { Description = "The completion to score.", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "The prompt it follows (default: empty, i.e. BOS).", DefaultValueFactory = _ => "" };
        var json = CommonOptions.Json();
        var device = DeviceOption();
        var command = new Command("logprob", "Per-token log-probs of a completion given a prompt, through the same function the cache and trainers use.\n\n" +
                                             "Example:\n  align model logprob model.gguf --prompt \"Once upon a time\" --text \", there was\" --json")
        {
            model, tokenizer, text, prompt, json, device,
        };
        command.SetAction(parse =>
        {
            string path = RequireExists(parse.GetValue(model)!);
            var tok = ReferenceModelFiles.LoadTokenizer(ReferenceModelFiles.ResolveTokenizer(path, parse.GetValue(tokenizer)));
            var loaded = Load(path, parse.GetValue(device)!);
            var ids = new PromptCompletionEncoder(tok.Tokenizer, tok.DefaultRules with { AddBos = true, AddEos = false })
                .Encode(parse.GetValue(prompt)!, parse.GetValue(text)!);
            using var network = loaded.Model;
            var scores = CompletionLogProbs.Compute(loaded.Model, [new LogProbRequest(ids.PromptIds, ids.CompletionIds)], LogProbMode.Inference).ToSequences()[0];
            var result = new JsonObject
            {
                ["tokens"] = new JsonArray(ids.CompletionIds.Select(t => (JsonNode)t).ToArray()),
                ["pieces"] = new JsonArray(ids.CompletionIds.Select(t => (JsonNode)tok.Tokenizer.Piece(t)).ToArray()),
                ["logprobs"] = new JsonArray(scores.TokenLogProbs.Select(l => (JsonNode)l).ToArray()),
                ["sum"] = scores.Sum,
                ["prefix_mismatch"] = ids.PrefixMismatch,
            };
            if (parse.GetValue(json))
            {
                cli.Out.WriteLine(result.ToJsonString(Output.Indented));
                return 0;
            }

            for (int i = 0; i < ids.CompletionIds.Count; i++)
            {
                cli.Out.WriteLine($"{ids.CompletionIds[i],8}  {tok.Tokenizer.Piece(ids.CompletionIds[i]),-16} {scores.TokenLogProbs[i].ToString("0.000000", CultureInfo.InvariantCulture)}");
            }

            cli.Out.WriteLine($"sum: {scores.Sum.ToString("0.000000", CultureInfo.InvariantCulture)}");
            return 0;
        });
        return command;
    }

    private static LoadedModel Load(string path, string device)
    {
        try
        {
            return ModelLoader.Load(path, new ModelRuntimeOptions(device));
        }
        catch (ModelFormatException e)
        {
            throw new UserErrorException(e.Message, e);
        }
    }

    private static string RequireExists(string path) =>
        File.Exists(path) || Directory.Exists(path)
            ? Path.GetFullPath(path)
            : throw new UserErrorException($"model '{path}' does not exist (relative paths start at {Environment.CurrentDirectory})");

    private static string? TryResolveTokenizer(string path, string? tokenizer)
    {
        try
        {
            return ReferenceModelFiles.ResolveTokenizer(path, tokenizer);
        }
        catch (UserErrorException)
        {
            return null;
        }
    }
}
