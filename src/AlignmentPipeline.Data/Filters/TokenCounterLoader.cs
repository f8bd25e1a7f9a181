namespace AlignmentPipeline.Data.Filters;

/// <summary>
/// Loads the tokenizer at <paramref name="path"/> (a file or a model folder, as the filter's <c>tokenizer</c> option
/// names it, made absolute) and returns a function giving the number of tokens of a text, with no special tokens
/// added. The host supplies it when it registers the filter kind (<see cref="FilterStage.DefineKind"/>), because
/// tokenizer formats live in the modeling project. The returned function is called from several tasks at once.
/// </summary>
public delegate Func<string, int> TokenCounterLoader(string path);
