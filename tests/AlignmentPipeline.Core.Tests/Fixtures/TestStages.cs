using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Core.Tests.Fixtures;

/// <summary>Small real stages for runner tests: they write text parts through storage and count their executions.</summary>
internal static class TestStages
{
    public static ConcurrentDictionary<string, int> TaskRuns { get; } = new();

    /// <summary>Called at the start of every numbers task (test hook), before the task checks for cancellation.</summary>
    public static Action<int>? OnNumbersTask { get; set; }

    public static StageRegistry Registry() => new([Numbers, Sum, Digest, Concat]);

    public static StageKind Numbers { get; } = StageKind.Define<NumbersOptions>("numbers", 1, "Writes 0..count-1 split over tasks.", InputArity.None, o => new NumbersStage(o));

    public static StageKind Sum { get; } = StageKind.Define<SumOptions>("sum", 1, "Sums the numbers of its input.", InputArity.One, o => new SumStage(o));

    public static StageKind Digest { get; } = StageKind.Define<DigestOptions>("digest", 1, "Copies a file or stage output.", InputArity.None, o => new DigestStage(o));

    public static StageKind Concat { get; } = StageKind.Define<ConcatOptions>("concat", 1, "Concatenates its inputs.", InputArity.Many, _ => new ConcatStage());

    public static async Task<string> ReadAllTextAsync(IStorage storage, IEnumerable<string> paths)
    {
        var builder = new StringBuilder();
        foreach (string path in paths)
        {
            builder.Append(Encoding.UTF8.GetString(await storage.ReadAllBytesAsync(path)));
        }

        return builder.ToString();
    }

    private static IEnumerable<string> TextParts(StageOutput output) =>
        output.Files.Where(f => f.StartsWith("part-", StringComparison.Ordinal)).Select(output.Path);

    private static void Count(TaskContext context) => TaskRuns.AddOrUpdate($"{context.Stage.StageName}/{context.TaskIndex}", 1, (_, n) => n + 1);

    public sealed record NumbersOptions
    {
        [Description("How many numbers.")]
        [Range(0, 1_000_000)]
        public int Count { get; init; } = 10;

        [Description("Tasks to split the work over.")]
        [Range(1, 64)]
        public int Tasks { get; init; } = 1;

        [Description("Multiplier.")]
        public double Scale { get; init; } = 1.0;

        [Description("Free text.")]
        public string Label { get; init; } = "";

        [Description("Throw in this task (test hook).")]
        public int FailTask { get; init; } = -1;

        [Description("Nested options.")]
        public Nested Extra { get; init; } = new();

        [Description("Tags.")]
        public IReadOnlyList<string> Tags { get; init; } = [];

        [Description("Mode.")]
        public Mode Mode { get; init; } = Mode.Plain;
    }

    public sealed record Nested
    {
        [Description("Rows per band.")]
        [Range(1, 64)]
        public int RowsPerBand { get; init; } = 8;
    }

    public enum Mode
    {
        Plain,
        Fancy,
    }

    public sealed record SumOptions
    {
        [Description("Added to the sum.")]
        public long Offset { get; init; }
    }

    public sealed record DigestOptions
    {
        [Required]
        [Description("A file or a stage.")]
        [PathOrStage]
        public string Source { get; init; } = "";
    }

    public sealed record ConcatOptions;

    private sealed class NumbersStage(NumbersOptions options) : IStage
    {
        public static int FailuresLeft;

        public int TaskCount(IReadOnlyList<StageOutput> inputs) => options.Tasks;

        public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
        {
            Count(context);
            OnNumbersTask?.Invoke(context.TaskIndex);
            cancellationToken.ThrowIfCancellationRequested();
            if (context.TaskIndex == options.FailTask && Interlocked.Decrement(ref FailuresLeft) >= 0)
            {
                throw new InvalidOperationException($"planned failure in task {context.TaskIndex}");
            }

            var lines = new StringBuilder();
            long n = 0;
            for (int i = context.TaskIndex; i < options.Count; i += context.TaskCount)
            {
                lines.Append((i * options.Scale).ToString(CultureInfo.InvariantCulture)).Append('\n');
                n++;
            }

            await context.Stage.Storage.WriteTextAsync(context.Stage.OutputPath($"part-{context.TaskIndex:D5}.txt"), lines.ToString(), cancellationToken);
            return new TaskResult(new StageCounters(n, n, new Dictionary<string, long>()));
        }
    }

    private sealed class SumStage(SumOptions options) : IStage
    {
        public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

        public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
        {
            Count(context);
            string text = await ReadAllTextAsync(context.Stage.Storage, TextParts(context.Stage.Inputs[0]));
            var numbers = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
            double sum = numbers.Sum() + options.Offset;
            await context.Stage.Storage.WriteTextAsync(context.Stage.OutputPath("part-00000.txt"), sum.ToString(CultureInfo.InvariantCulture), cancellationToken);
            return new TaskResult(new StageCounters(numbers.Count, 1, new Dictionary<string, long>()));
        }
    }

    private sealed class DigestStage(DigestOptions options) : IStage
    {
        public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

        public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
        {
            Count(context);
            string content = context.Stage.IsStage(options.Source)
                ? await ReadAllTextAsync(context.Stage.Storage, TextParts(context.Stage.Upstream(options.Source)))
                : await File.ReadAllTextAsync(options.Source, cancellationToken);
            await context.Stage.Storage.WriteTextAsync(context.Stage.OutputPath("part-00000.txt"), content, cancellationToken);
            return new TaskResult(new StageCounters(1, 1, new Dictionary<string, long>()));
        }
    }

    private sealed class ConcatStage : IStage
    {
        public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

        public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
        {
            Count(context);
            string text = await ReadAllTextAsync(context.Stage.Storage, context.Stage.Inputs.SelectMany(TextParts));
            await context.Stage.Storage.WriteTextAsync(context.Stage.OutputPath("part-00000.txt"), text, cancellationToken);
            return new TaskResult(new StageCounters(1, 1, new Dictionary<string, long>()));
        }
    }

    public static void FailNextRuns(int count) => NumbersStage.FailuresLeft = count;
}
