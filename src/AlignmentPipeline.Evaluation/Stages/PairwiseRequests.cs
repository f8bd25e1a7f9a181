using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Evaluation.Judges;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// Pairs the candidate's and the baseline's responses of a <c>generate</c> output by prompt id (the k-th response of a
/// repeated prompt id meets the k-th of the other model), in the candidate's order.
/// </summary>
internal static class PairwiseRequests
{
    /// <summary>The requests, and how many responses of either side found no partner.</summary>
    public static async Task<(IReadOnlyList<JudgeRequest> Requests, long MissingBaseline, long MissingCandidate)> BuildAsync(
        StageContext context, StageOutput generated, string candidate, string baseline, CancellationToken cancellationToken = default)
    {
        if (generated.Kind != GenerateStage.Kind.Name)
        {
            throw new UserErrorException($"the input '{generated.StageName}' is a {generated.Kind} stage; a rule or llm judge reads a generate stage");
        }

        var candidates = new List<GeneratedResponse>();
        var baselines = new Dictionary<(string, int), GeneratedResponse>();
        var seen = new Dictionary<(string Model, string Id), int>();
        var models = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var row in ParquetTableReader.ReadAllAsync(context.Storage, generated.Parts, cancellationToken))
        {
            var response = GeneratedResponse.FromRow(row);
            models.Add(response.Model);
            var occurrence = seen[(response.Model, response.PromptId)] = seen.GetValueOrDefault((response.Model, response.PromptId)) + 1;
            if (response.Model == candidate)
            {
                candidates.Add(response);
            }

            if (response.Model == baseline)
            {
                baselines[(response.PromptId, occurrence)] = response;
            }
        }

        foreach (var (option, name) in new[] { ("candidate", candidate), ("baseline", baseline) }.Where(o => !models.Contains(o.Item2)))
        {
            throw new UserErrorException($"'{option}: {name}' is not a model of stage '{generated.StageName}'; its models are {string.Join(", ", models)}");
        }

        var requests = new List<JudgeRequest>();
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        long missingBaseline = 0;
        foreach (var response in candidates)
        {
            var occurrence = occurrences[response.PromptId] = occurrences.GetValueOrDefault(response.PromptId) + 1;
            if (!baselines.Remove((response.PromptId, occurrence), out var partner))
            {
                missingBaseline++;
                continue;
            }

            var itemId = occurrence == 1 ? response.PromptId : $"{response.PromptId}#{occurrence}";
            requests.Add(new JudgeRequest(itemId, response.Prompt, response.Response, partner.Response));
        }

        return (requests, missingBaseline, baselines.Count);
    }
}
