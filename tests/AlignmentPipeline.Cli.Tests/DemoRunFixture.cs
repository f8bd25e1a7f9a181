using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

/// <summary>
/// One uninterrupted run of <c>pipelines/demo.yaml</c> (copied beside the tests) with the small CI parameter set,
/// through the real <c>align</c> process, shared by the tests of <see cref="DemoEndToEndTests"/>.
/// </summary>
public sealed class DemoRunFixture : IAsyncLifetime
{
    /// <summary>
    /// The demo's smoke parameters: every stage runs, on 120 pairs, a one-block dim-32 Llama, 24 SFT and 4 DPO steps with
    /// a checkpoint every 4, 6 prompts answered with at most 24 tokens.
    /// </summary>
    public static readonly string[] SmallParams =
    [
        "--set", "pairs=120", "--set", "model_dim=32", "--set", "model_layers=1", "--set", "sft_steps=24", "--set", "sft_batch=4", "--set", "sft_warmup=2", "--set", "checkpoint_every=4",
        "--set", "dpo_steps=4", "--set", "dpo_warmup=1", "--set", "eval_prompts=6", "--set", "answer_tokens=24",
    ];

    public TempDirectory Temp { get; } = new("align-demo");

    /// <summary>The storage folder of the uninterrupted run, relative to <see cref="TempDirectory.Path"/>.</summary>
    public string Storage => "store";

    /// <summary>The run record printed by <c>align run --json</c>.</summary>
    public JsonObject FirstRun { get; private set; } = [];

    public TimeSpan FirstRunTime { get; private set; }

    public string DemoYaml => Path.Combine(AppContext.BaseDirectory, "pipelines", "demo.yaml");

    public async ValueTask InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        FirstRun = await RunDemoAsync(Storage);
        FirstRunTime = clock.Elapsed;
    }

    /// <summary>Runs the demo with <see cref="SmallParams"/> plus <paramref name="extra"/> and returns its run record.</summary>
    public async Task<JsonObject> RunDemoAsync(string storage, params string[] extra)
    {
        var result = await AlignProcess.RunAsync(Temp.Path, ["run", DemoYaml, "--storage", storage, "--json", .. SmallParams, .. extra]);
        Assert.True(result.ExitCode == 0, $"align run exited {result.ExitCode}:\n{result.Error}");
        return JsonNode.Parse(result.Out)!.AsObject();
    }

    /// <summary>The output folder of <paramref name="stage"/> in <paramref name="storage"/> as recorded in <paramref name="run"/>.</summary>
    public string StageFolder(string storage, JsonObject run, string stage) =>
        Path.Combine(Temp.Path, storage, "stages", stage, Stages(run)[stage].Fingerprint);

    /// <summary>Each stage's status and fingerprint in a run record, by stage name.</summary>
    public static Dictionary<string, (string Status, string Fingerprint)> Stages(JsonObject run) =>
        run["stages"]!.AsArray().ToDictionary(
            s => s!["name"]!.GetValue<string>(),
            s => (s!["status"]!.GetValue<string>(), s["fingerprint"]!.GetValue<string>()));

    public ValueTask DisposeAsync()
    {
        Temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
