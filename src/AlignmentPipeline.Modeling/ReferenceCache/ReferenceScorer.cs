using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Templates;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// A loaded reference model with the tokenization of a cache: what the stage and the verifier both use, so a
/// verification recomputes exactly what the stage computed.
/// </summary>
internal sealed class ReferenceScorer : IDisposable
{
    private ReferenceScorer(LoadedModel model, PairTokenizer tokenizer, PairScorer scorer, ITokenizer vocabulary)
    {
        Model = model;
        Tokenizer = tokenizer;
        Scorer = scorer;
        Vocabulary = vocabulary;
    }

    public LoadedModel Model { get; }

    public PairTokenizer Tokenizer { get; }

    public PairScorer Scorer { get; }

    public ITokenizer Vocabulary { get; }

    /// <summary>Loads the model at <paramref name="modelPath"/> and the tokenizer the options name.</summary>
    public static ReferenceScorer Load(string modelPath, RefLogProbsOptions options)
    {
        var loaded = ReferenceModelFiles.LoadTokenizer(ReferenceModelFiles.ResolveTokenizer(modelPath, options.Tokenizer));
        var rules = new SpecialTokenRules(options.AddBos ?? loaded.DefaultRules.AddBos, options.AddEos ?? loaded.DefaultRules.AddEos);
        var model = ModelLoader.Load(modelPath, options.Runtime);
        if (options.MaxLength > model.Model.Config.MaxSequenceLength)
        {
            model.Model.Dispose();
            throw new UserErrorException(
                $"max_length {options.MaxLength} exceeds the model's {model.Model.Config.MaxSequenceLength} positions; lower 'max_length'");
        }

        var tokenizer = new PairTokenizer(new PromptCompletionEncoder(loaded.Tokenizer, rules), ChatTemplates.BuiltIn(options.Template), options.MaxLength, options.Truncation);
        return new ReferenceScorer(model, tokenizer, new PairScorer(model.Model, options.BatchTokensOn(model.Model.Device), options.PrefixSharing), loaded.Tokenizer);
    }

    public void Dispose() => Model.Model.Dispose();
}
