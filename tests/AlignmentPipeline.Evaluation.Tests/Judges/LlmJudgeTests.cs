using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Judges.Llm;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Statistics;
using Microsoft.Extensions.Time.Testing;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

public sealed class LlmJudgeTests : IDisposable
{
    private readonly string keyVariable = $"ALIGN_TEST_JUDGE_KEY_{Guid.NewGuid():N}";
    private readonly string key = $"sk-test-{Guid.NewGuid():N}";
    private readonly string directory = Directory.CreateTempSubdirectory("llm-judge-").FullName;
    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public LlmJudgeTests() => Environment.SetEnvironmentVariable(keyVariable, key);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(keyVariable, null);
        http.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Four items whose expected verdict follows from which response says "kind".</summary>
    private static readonly (JudgeRequest Request, Verdict Expected)[] Items =
    [
        (new JudgeRequest("0", "Finish the story: Tom found a toy.", "Tom was kind and gave it back.", "Tom kept it."), Verdict.Win),
        (new JudgeRequest("1", "Finish the story: Sue saw a bird.", "Sue threw a stone.", "Sue was kind to the bird."), Verdict.Loss),
        (new JudgeRequest("2", "Finish the story: It rained.", "They stayed inside.", "They read a book."), Verdict.Tie),
        (new JudgeRequest("3", "Finish the story: Max had one cake.", "Max was kind and shared it.", "Max ate it alone."), Verdict.Win),
    ];

    private LlmJudgeOptions Options(OpenAiCompatibleServerDouble server, string? cacheFile = null) => new()
    {
        BaseUrl = server.BaseUrl,
        Model = "judge-double",
        ApiKeyEnvironmentVariable = keyVariable,
        PromptTemplate = KindnessJudgeScript.Template,
        AttemptTimeout = TimeSpan.FromMinutes(30),
        RetryBaseDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromSeconds(60),
        CachePath = cacheFile is null ? null : Path.Combine(directory, cacheFile),
    };

    private static async Task<IReadOnlyList<JudgedItem>> JudgeAllAsync(LlmJudge judge, FakeTimeProvider time, IEnumerable<JudgeRequest> requests) =>
        await FakeTimePump.RunAsync(time, JudgeRunner.JudgeAllAsync(judge, requests.ToList(), cancellationToken: TestContext.Current.CancellationToken));

    [Fact]
    public async Task Each_item_is_judged_in_both_orders_with_the_key_as_a_bearer_token()
    {
        await using var server = OpenAiCompatibleServerDouble.Start(KindnessJudgeScript.Reply);
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server), http, time);

        var judged = await JudgeAllAsync(judge, time, Items.Select(i => i.Request));

        Assert.Equal(Items.Select(i => i.Expected), judged.Select(j => j.Outcome.Verdict));
        Assert.Equal(2 * Items.Length, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal(("/v1/chat/completions", $"Bearer {key}", "judge-double"), (r.Path, r.Authorization, r.Model)));
        Assert.Equal(("A", "B"), (judged[0].Outcome.Fields["order_candidate_first"], judged[0].Outcome.Fields["order_candidate_second"]));
        var stats = judge.Stats;
        Assert.Equal((8L, 0L, 0L, 4L, 0L), (stats.Requests, stats.Retries, stats.CacheHits, stats.Items, stats.InvalidItems));
    }

    [Fact]
    public async Task Rate_limits_server_errors_and_timeouts_are_retried_and_the_run_finishes()
    {
        // The first request of each order of item 0 gets 429 with Retry-After: 7, of item 1 a 500, of item 3 a
        // reply that arrives long after the 20 s (fake) attempt timeout. Six retries in all, every verdict still right.
        await using var server = OpenAiCompatibleServerDouble.Start(request =>
            request.TimesSeenBefore > 0 ? KindnessJudgeScript.Reply(request)
            : request.UserContent.Contains("Tom found") ? new ServerAction.Status(429, RetryAfterSeconds: 7)
            : request.UserContent.Contains("Sue saw") ? new ServerAction.Status(500)
            : request.UserContent.Contains("Max had") ? new ServerAction.Delayed(TimeSpan.FromSeconds(30), KindnessJudgeScript.Reply(request))
            : KindnessJudgeScript.Reply(request));
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server) with { AttemptTimeout = TimeSpan.FromSeconds(20) }, http, time);

        var judged = await JudgeAllAsync(judge, time, Items.Select(i => i.Request));

        Assert.Equal(Items.Select(i => i.Expected), judged.Select(j => j.Outcome.Verdict));
        var stats = judge.Stats;
        Assert.Equal(6, stats.Retries);
        Assert.Equal(2 * Items.Length + 6, stats.Requests);
        Assert.Equal(2 * Items.Length + 6, server.Requests.Count);
        Assert.Equal(0, stats.InvalidItems);
        Assert.True(stats.RetryDelaySeconds >= 14, $"two Retry-After: 7 must be honoured, waited {stats.RetryDelaySeconds} s");
        Assert.Equal(stats.Retries, judge.Describe()["retries"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_timeout_of_the_HttpClient_itself_is_retried_like_an_attempt_timeout()
    {
        await using var server = OpenAiCompatibleServerDouble.Start(request => request.TimesSeenBefore == 0
            ? new ServerAction.Delayed(TimeSpan.FromSeconds(5), KindnessJudgeScript.Reply(request))
            : KindnessJudgeScript.Reply(request));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server), impatient, time);

        var judged = await FakeTimePump.RunAsync(time, JudgeRunner.JudgeAllAsync(judge, [Items[0].Request], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(Verdict.Win, judged[0].Outcome.Verdict);
        Assert.Equal((4L, 2L), (judge.Stats.Requests, judge.Stats.Retries));
    }

    [Fact]
    public async Task Malformed_bodies_refusals_and_missing_verdict_lines_are_invalid_and_never_wins()
    {
        await using var server = OpenAiCompatibleServerDouble.Start(request =>
            request.UserContent.Contains("Tom found") ? new ServerAction.Malformed("{\"choices\": [ this is not json")
            : request.UserContent.Contains("Sue saw") ? new ServerAction.Refusal("I can't help with comparing these.")
            : request.UserContent.Contains("Max had") ? new ServerAction.Reply("A is kinder, so [[A]] is my verdict.")
            : KindnessJudgeScript.Reply(request));
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server), http, time);

        var judged = await JudgeAllAsync(judge, time, Items.Select(i => i.Request));

        Assert.Equal([Verdict.Invalid, Verdict.Invalid, Verdict.Tie, Verdict.Invalid], judged.Select(j => j.Outcome.Verdict));
        Assert.Equal(
            ["malformed_body", "refusal", "unparsable_verdict"],
            new[] { 0, 1, 3 }.Select(i => judged[i].Outcome.Fields["invalid_reason"]));
        var stats = judge.Stats;
        Assert.Equal(3, stats.InvalidItems);
        Assert.Equal(new Dictionary<string, long> { ["malformed_body"] = 1, ["refusal"] = 1, ["unparsable_verdict"] = 1 }, stats.InvalidReasons);
        Assert.Equal(0, stats.Retries);
        var summary = WinRateStatistics.Summarize(judged.Select(j => j.ToJudgment()).ToList());
        Assert.Equal((1, 0, 3, 0.5), (summary.N, summary.Wins, summary.Invalid, summary.WinRate));
        var reportJson = System.Text.Json.Nodes.JsonNode.Parse(ReportJson.Write(EvaluationReport.FromJudgedItems(judge, "c", "b", judged)))!;
        Assert.Equal(3, reportJson["invalid"]!.GetValue<int>());
        Assert.Equal(1, reportJson["judge_fields"]!["invalid_reasons"]!["refusal"]!.GetValue<long>());
    }

    [Fact]
    public async Task Orders_that_disagree_make_a_tie()
    {
        // A judge with pure position bias always prefers the first response: the two orders never agree.
        await using var server = OpenAiCompatibleServerDouble.Start(_ => new ServerAction.Reply("First one.\n[[A]]"));
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server), http, time);

        var judged = await JudgeAllAsync(judge, time, Items.Select(i => i.Request));

        Assert.All(judged, j => Assert.Equal(Verdict.Tie, j.Outcome.Verdict));
        Assert.Equal(Items.Length, judge.Stats.OrderDisagreements);
    }

    [Fact]
    public async Task A_rerun_with_the_cache_sends_no_request_and_repeats_every_verdict()
    {
        await using var server = OpenAiCompatibleServerDouble.Start(KindnessJudgeScript.Reply);
        var time = new FakeTimeProvider();
        var first = await JudgeAllAsync(new LlmJudge(Options(server, "cache.jsonl"), http, time), time, Items.Select(i => i.Request));
        var requestsAfterFirstRun = server.Requests.Count;

        var rerunJudge = new LlmJudge(Options(server, "cache.jsonl"), http, time);
        var rerun = await JudgeAllAsync(rerunJudge, time, Items.Select(i => i.Request));

        Assert.Equal(2 * Items.Length, requestsAfterFirstRun);
        Assert.Equal(requestsAfterFirstRun, server.Requests.Count);
        Assert.Equal((0L, 2L * Items.Length), (rerunJudge.Stats.Requests, rerunJudge.Stats.CacheHits));
        Assert.Equal(first.Select(j => j.Outcome), rerun.Select(j => j.Outcome), (x, y) => x.Verdict == y.Verdict && x.Fields.SequenceEqual(y.Fields));
        var cacheText = await File.ReadAllTextAsync(Path.Combine(directory, "cache.jsonl"), TestContext.Current.CancellationToken);
        Assert.Equal(2 * Items.Length, cacheText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain(key, cacheText);
    }

    [Fact]
    public async Task A_rerun_asks_again_only_where_no_answer_arrived()
    {
        // Run 1: item 0 gets malformed bodies (not an answer: not cached); item 1 a refusal (an answer: cached).
        var healthy = false;
        await using var server = OpenAiCompatibleServerDouble.Start(request =>
            healthy ? KindnessJudgeScript.Reply(request)
            : request.UserContent.Contains("Tom found") ? new ServerAction.Malformed("<html>gateway</html>")
            : request.UserContent.Contains("Sue saw") ? new ServerAction.Refusal("No.")
            : KindnessJudgeScript.Reply(request));
        var time = new FakeTimeProvider();
        await JudgeAllAsync(new LlmJudge(Options(server, "cache.jsonl"), http, time), time, Items.Select(i => i.Request));
        healthy = true;

        var rerunJudge = new LlmJudge(Options(server, "cache.jsonl"), http, time);
        var rerun = await JudgeAllAsync(rerunJudge, time, Items.Select(i => i.Request));

        Assert.Equal(2, rerunJudge.Stats.Requests);
        Assert.Equal([Verdict.Win, Verdict.Invalid, Verdict.Tie, Verdict.Win], rerun.Select(j => j.Outcome.Verdict));
    }

    [Fact]
    public async Task Retries_stop_at_the_limit_and_the_item_becomes_invalid()
    {
        await using var server = OpenAiCompatibleServerDouble.Start(_ => new ServerAction.Status(503));
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server) with { MaxRetryAttempts = 2 }, http, time);

        var judged = await JudgeAllAsync(judge, time, [Items[0].Request]);

        Assert.Equal(Verdict.Invalid, judged[0].Outcome.Verdict);
        Assert.Equal("http_503", judged[0].Outcome.Fields["invalid_reason"]);
        Assert.Equal((6L, 4L), (judge.Stats.Requests, judge.Stats.Retries));
    }

    [Fact]
    public async Task The_key_never_appears_in_an_exception_even_when_the_server_echoes_it()
    {
        await using var server = OpenAiCompatibleServerDouble.Start(request =>
            new ServerAction.Status(401, Body: $"{{\"error\": \"invalid key in header '{request.Authorization}'\"}}"));
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server, "cache.jsonl"), http, time);

        var error = await Assert.ThrowsAsync<LlmJudgeException>(() => JudgeAllAsync(judge, time, [Items[0].Request]));

        Assert.Equal($"Bearer {key}", server.Requests[0].Authorization);
        Assert.Contains("401", error.Message);
        Assert.Contains(keyVariable, error.Message);
        Assert.Contains("Bearer ***", error.Message);
        Assert.DoesNotContain(key, error.ToString());
        Assert.DoesNotContain(key, judge.Describe().ToJsonString());
        var cacheFile = Path.Combine(directory, "cache.jsonl");
        Assert.False(File.Exists(cacheFile) && File.ReadAllText(cacheFile).Contains(key));
    }

    [Fact]
    public async Task No_more_requests_are_in_flight_than_the_concurrency_limit()
    {
        await using var server = OpenAiCompatibleServerDouble.Start(request =>
            new ServerAction.Delayed(TimeSpan.FromMilliseconds(100), KindnessJudgeScript.Reply(request)));
        var time = new FakeTimeProvider();
        var judge = new LlmJudge(Options(server) with { MaxConcurrency = 2 }, http, time);

        await JudgeRunner.JudgeAllAsync(judge, Items.Select(i => i.Request).ToList(), maxParallelism: 8, TestContext.Current.CancellationToken);

        Assert.Equal(2, server.MaxConcurrentRequests);
    }

    [Fact]
    public void An_unset_key_variable_is_an_error_that_names_the_variable()
    {
        var options = new LlmJudgeOptions { BaseUrl = "http://127.0.0.1:1/v1", Model = "m", ApiKeyEnvironmentVariable = "ALIGN_TEST_SURELY_UNSET_KEY" };

        var error = Assert.Throws<ArgumentException>(() => new LlmJudge(options, http));

        Assert.Contains("ALIGN_TEST_SURELY_UNSET_KEY", error.Message);
    }

    [Fact]
    public void Invalid_options_report_every_problem_at_once()
    {
        var options = new LlmJudgeOptions
        {
            BaseUrl = "api.openai.com",
            Model = " ",
            ApiKeyEnvironmentVariable = "sk-abc123",
            PromptTemplate = "Compare {{response_a}} with {{answer}}",
            MaxConcurrency = 0,
        };

        var problems = options.Validate();

        Assert.Equal(7, problems.Count);
        Assert.Contains(problems, p => p.Contains("base_url"));
        Assert.Contains(problems, p => p.Contains("model"));
        Assert.Contains(problems, p => p.Contains("api_key_env"));
        Assert.Contains(problems, p => p.Contains("{{prompt}}"));
        Assert.Contains(problems, p => p.Contains("{{response_b}}"));
        Assert.Contains(problems, p => p.Contains("{{answer}}"));
        Assert.Contains(problems, p => p.Contains("max_concurrency"));
    }
}
