using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data;
using AlignmentPipeline.Evaluation;
using AlignmentPipeline.Modeling;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Data.Splits;
using AlignmentPipeline.Data.Synthetic;
using AlignmentPipeline.Training;

namespace AlignmentPipeline.Cli;

/// <summary>Every stage kind the <c>align</c> command knows.</summary>
internal static class StageCatalog
{
    public static StageRegistry Create() => new([
        .. DataStageKinds.WithTokenizers(CountTokens),
        SyntheticStage.Kind,
        SplitStage.Kind,
        .. ModelingStageKinds.All,
        .. TrainingStageKinds.All,
        .. EvaluationStageKinds.All,
    ]);

    /// <summary>The filter's <c>tokenizer</c>: any tokenizer file or folder the reference cache loads, counting tokens without special tokens.</summary>
    private static Func<string, int> CountTokens(string path)
    {
        var tokenizer = ReferenceModelFiles.LoadTokenizer(path).Tokenizer;
        return text => tokenizer.Encode(text).Count;
    }
}
