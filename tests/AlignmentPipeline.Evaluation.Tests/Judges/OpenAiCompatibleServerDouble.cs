using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

/// <summary>
/// Test double of an OpenAI-compatible server: a real HTTP listener on 127.0.0.1 (free port) that answers
/// POST /v1/chat/completions as a script says, so judges are tested over real HTTP with injected 429s, 5xx,
/// delays, malformed bodies and refusals.
/// </summary>
internal sealed class OpenAiCompatibleServerDouble : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Func<ReceivedChatRequest, ServerAction> respond;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, int> timesSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedChatRequest> requests = new();
    private readonly ConcurrentBag<Task> handlers = [];
    private readonly Task acceptLoop;
    private int inFlight;
    private int maxInFlight;

    private OpenAiCompatibleServerDouble(HttpListener listener, int port, Func<ReceivedChatRequest, ServerAction> respond)
    {
        this.listener = listener;
        this.respond = respond;
        BaseUrl = $"http://127.0.0.1:{port}/v1";
        acceptLoop = AcceptAsync();
    }

    /// <summary>Base URL to configure a judge with, including /v1.</summary>
    public string BaseUrl { get; }

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedChatRequest> Requests => requests.ToArray();

    /// <summary>The largest number of requests that were being handled at the same moment.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref maxInFlight);

    /// <summary>Starts listening on a free loopback port.</summary>
    public static OpenAiCompatibleServerDouble Start(Func<ReceivedChatRequest, ServerAction> respond)
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new OpenAiCompatibleServerDouble(listener, port, respond);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // the port was taken between probe and start; try another
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        listener.Close();
        try
        {
            await acceptLoop;
        }
        catch (Exception exception) when (exception is ObjectDisposedException or HttpListenerException or InvalidOperationException)
        {
        }
        await Task.WhenAll(handlers);
        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is ObjectDisposedException or HttpListenerException or InvalidOperationException)
            {
                return;
            }
            handlers.Add(Task.Run(() => HandleAsync(context)));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var now = Interlocked.Increment(ref inFlight);
        for (var seen = Volatile.Read(ref maxInFlight); now > seen; seen = Volatile.Read(ref maxInFlight))
            Interlocked.CompareExchange(ref maxInFlight, now, seen);
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            var userContent = body["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>();
            var request = new ReceivedChatRequest(
                context.Request.Url!.AbsolutePath,
                context.Request.Headers["Authorization"],
                body["model"]!.GetValue<string>(),
                userContent,
                timesSeen.AddOrUpdate(userContent, 0, (_, count) => count + 1));
            requests.Enqueue(request);
            await ActAsync(context.Response, request, respond(request));
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The client gave up on this request (attempt timeout) or the server is stopping.
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
            try
            {
                context.Response.Close();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private async Task ActAsync(HttpListenerResponse response, ReceivedChatRequest request, ServerAction action)
    {
        switch (action)
        {
            case ServerAction.Delayed delayed:
                await Task.Delay(delayed.RealDelay, stopping.Token);
                await ActAsync(response, request, delayed.Then);
                break;
            case ServerAction.Status status:
                response.StatusCode = status.Code;
                if (status.RetryAfterSeconds is { } seconds)
                    response.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await WriteAsync(response, status.Body, "text/plain");
                break;
            case ServerAction.Malformed malformed:
                await WriteAsync(response, malformed.Body, "application/json");
                break;
            case ServerAction.Refusal refusal:
                await WriteAsync(response, Completion(request.Model, content: null, refusal: refusal.Text), "application/json");
                break;
            case ServerAction.Reply reply:
                await WriteAsync(response, Completion(request.Model, reply.Content, refusal: null), "application/json");
                break;
        }
    }

    private static string Completion(string model, string? content, string? refusal) => new JsonObject
    {
        ["id"] = "chatcmpl-double",
        ["object"] = "chat.completion",
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = refusal },
            ["finish_reason"] = "stop",
        }),
    }.ToJsonString();

    private async Task WriteAsync(HttpListenerResponse response, string body, string contentType)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes, stopping.Token);
    }
}
