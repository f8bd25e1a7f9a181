using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;
using AlignmentPipeline.Data.Splits;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>A temp folder with local storage and synthetic preference data; runs pipelines of data, training and test stages.</summary>
internal sealed class TrainerHarness : IDisposable
{
    private readonly TempDirectory temp = new("align-trainers");

    public TrainerHarness(int pairs = 48)
    {
        Storage = new LocalStorage(Path.Combine(temp.Path, "store"));
        DataFile = temp.Write("pairs.jsonl", SyntheticPairs(pairs));
    }

    public LocalStorage Storage { get; }

    /// <summary>The synthetic pairs as canonical JSONL.</summary>
    public string DataFile { get; }

    /// <summary>Everything the runs logged.</summary>
    public StringBuilder Log { get; } = new();

    /// <summary>Runs the stages (YAML indented under <c>stages:</c>); <paramref name="onLogLine"/> sees every log line.</summary>
    public async Task<RunRecord> RunAsync(string stagesYaml, Action<string>? onLogLine = null, CancellationToken cancellationToken = default)
    {
        var registry = new StageRegistry([.. DataStageKinds.All, SplitStage.Kind, .. Modeling.ModelingStageKinds.All, .. TrainingStageKinds.All]);
        var spec = new PipelineLoader(registry).Load($"name: trainers\nstages:\n{stagesYaml}", Path.Combine(temp.Path, "p.yaml"));
        var writer = new LineWriter(line =>
        {
            lock (Log)
            {
                Log.AppendLine(line);
            }

            onLogLine?.Invoke(line);
        });
        var options = new RunOptions { Storage = Storage, Executor = new LocalExecutor(1), Log = new RunLog(writer, TimeProvider.System) };
        return await new PipelineRunner(options).RunAsync(spec, cancellationToken);
    }

    /// <summary>The output of a stage of a finished run.</summary>
    public async Task<StageOutput> OutputAsync(RunRecord record, string stage) =>
        await new RunStore(Storage).TryLoadOutputAsync(stage, record.Stages.Single(s => s.Name == stage).Fingerprint)
        ?? throw new InvalidOperationException($"stage {stage} has no output");

    public async Task<JsonObject> StatsAsync(RunRecord record, string stage) =>
        (JsonObject)await Storage.ReadJsonAsync((await OutputAsync(record, stage)).Path("stats.json"));

    /// <summary>The local folder of a stage's published model.</summary>
    public async Task<string> ModelFolderAsync(RunRecord record, string stage) =>
        Path.Combine(Storage.Root, (await OutputAsync(record, stage)).Prefix, "model");

    public void Dispose() => temp.Dispose();

    /// <summary>
    /// Pairs with a learnable preference: the prompt is a random word, the chosen answer repeats it followed by " yes",
    /// the rejected one by " no". Word, and hence id, differ per pair.
    /// </summary>
    private static string SyntheticPairs(int count)
    {
        var random = new Random(7);
        var lines = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var word = new string(Enumerable.Range(0, 3 + random.Next(3)).Select(_ => (char)('a' + random.Next(26))).ToArray());
            var row = new JsonObject { ["id"] = $"p{i}", ["prompt"] = $"{word}?", ["chosen"] = $" {word} yes", ["rejected"] = $" {word} no" };
            lines.Append(row.ToJsonString()).Append('\n');
        }

        return lines.ToString();
    }

    private sealed class LineWriter(Action<string> onLine) : TextWriter
    {
        private readonly StringBuilder line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                onLine(line.ToString());
                line.Clear();
            }
            else if (value != '\r')
            {
                line.Append(value);
            }
        }
    }
}
