using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

/// <summary>
/// The independent check: one pair at a time, one sequence per forward, through the shared encoder and
/// <see cref="CompletionLogProbs.Compute(Models.ICausalLanguageModel, IReadOnlyList{LogProbRequest}, LogProbMode)"/>,
/// truncating keep_start by hand (plain-text pairs, no template). <see cref="Sum"/> adds the token log-probs in double,
/// as the cache does; the float32 <see cref="SequenceLogProb.Sum"/> of a long completion is only good to about 1e-4.
/// </summary>
internal sealed class LiveReference(string modelPath, string tokenizerPath, int maxLength) : IDisposable
{
    private readonly LoadedModel model = ModelLoader.Load(modelPath, ModelRuntimeOptions.Cpu);
    private readonly PromptCompletionEncoder encoder = Encoder(tokenizerPath);

    public (SequenceLogProb Chosen, SequenceLogProb Rejected) Score(PreferencePair pair) => (Score(pair.Prompt, pair.Chosen), Score(pair.Prompt, pair.Rejected));

    public static double Sum(SequenceLogProb sequence) => sequence.TokenLogProbs.Sum(p => (double)p);

    /// <summary>
    /// 1e-5 plus float32's relative error (~3e-7, a few ulps) of <paramref name="value"/>: token log-probs of -20 and
    /// sums of -1000 computed through different padding and kernel shapes differ by that much without any bug.
    /// </summary>
    public static double Tolerance(double value) => 1e-5 + 3e-7 * Math.Abs(value);

    public void Dispose() => model.Model.Dispose();

    /// <summary>
    /// keep_end by hand: the completion whole, the prompt's last tokens after its BOS so that the sequence holds
    /// <c>maxLength</c> tokens.
    /// </summary>
    public (SequenceLogProb Chosen, SequenceLogProb Rejected) ScoreKeepEnd(PreferencePair pair) => (ScoreKeepEnd(pair.Prompt, pair.Chosen), ScoreKeepEnd(pair.Prompt, pair.Rejected));

    private SequenceLogProb Score(string prompt, string completion)
    {
        var ids = encoder.Encode(prompt, completion);
        var completionIds = ids.CompletionIds.Take(maxLength - ids.PromptIds.Count).ToArray();
        return Score(ids.PromptIds, completionIds);
    }

    private SequenceLogProb ScoreKeepEnd(string prompt, string completion)
    {
        var ids = encoder.Encode(prompt, completion);
        var room = maxLength - ids.CompletionIds.Count;
        var promptIds = ids.PromptIds.Count <= room ? ids.PromptIds
            : room > 1 ? [ids.PromptIds[0], .. ids.PromptIds.Skip(ids.PromptIds.Count - room + 1)]
            : [.. ids.PromptIds.Skip(ids.PromptIds.Count - room)];
        return Score(promptIds, ids.CompletionIds);
    }

    private SequenceLogProb Score(IReadOnlyList<int> promptIds, IReadOnlyList<int> completionIds) =>
        CompletionLogProbs.Compute(model.Model, [new LogProbRequest(promptIds, completionIds)], LogProbMode.Inference).ToSequences()[0];

    private static PromptCompletionEncoder Encoder(string tokenizerPath)
    {
        var loaded = TokenizerLoader.Load(tokenizerPath, p => GgufFile.Read(p).Metadata);
        return new PromptCompletionEncoder(loaded.Tokenizer, loaded.DefaultRules);
    }
}
