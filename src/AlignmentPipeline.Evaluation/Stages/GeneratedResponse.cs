using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>One row of a <c>generate</c> output: a model's response to a prompt.</summary>
/// <param name="PromptId">The prompt's id (the pair id for prompts from pairs).</param>
/// <param name="Prompt">The prompt as a judge reads it (a message list flattened to text; no chat template).</param>
/// <param name="Model">The model's name (<see cref="GenerateOptions.Names"/>), or <c>dataset_chosen</c>.</param>
/// <param name="Response">The generated text, stop string and EOS excluded.</param>
/// <param name="ResponseTokens">Tokens of the response (for <c>dataset_chosen</c>: its length under the first model's tokenizer).</param>
public sealed record GeneratedResponse(string PromptId, string Prompt, string Model, string Response, int ResponseTokens)
{
    /// <summary>The Parquet layout: <c>prompt_id</c>, <c>prompt</c>, <c>model</c>, <c>response</c>, <c>response_tokens</c>.</summary>
    public static TableSchema<GeneratedResponse> Schema { get; } = new TableSchema<GeneratedResponse>()
        .String("prompt_id", r => r.PromptId)
        .String("prompt", r => r.Prompt)
        .String("model", r => r.Model)
        .String("response", r => r.Response)
        .Int("response_tokens", r => r.ResponseTokens);

    /// <summary>Reads one row back.</summary>
    public static GeneratedResponse FromRow(TableRow row) => new(
        row.String("prompt_id") ?? "",
        row.String("prompt") ?? "",
        row.String("model") ?? "",
        row.String("response") ?? "",
        row.Int("response_tokens"));
}
