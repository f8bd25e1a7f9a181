using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Cli;

/// <summary>Where a command writes (results to <see cref="Out"/>, logs to <see cref="Error"/>) and what it reads.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, Func<string, string?> environment)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public Func<string, string?> Environment { get; } = environment;

    public bool ErrorIsTerminal { get; init; }

    public RunLog Log(bool verbose) => new(Error, TimeProvider.System, verbose);

    /// <summary>The storage a command uses: <c>--storage</c>, else <c>$ALIGN_STORAGE</c>, else the fallback.</summary>
    public IStorage Storage(string? option, string fallback = "./runs") =>
        StorageFactory.Open(option ?? Environment("ALIGN_STORAGE") ?? fallback);
}
