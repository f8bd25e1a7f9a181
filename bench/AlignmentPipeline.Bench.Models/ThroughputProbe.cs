using AlignmentPipeline.Modeling.Generation;
using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Bench.Models;

/// <summary>Seconds per forward, per forward+backward and per generation of one model.</summary>
internal static class ThroughputProbe
{
    /// <summary>Median seconds of <paramref name="steps"/> inference forwards (logits for every position) after a warm-up.</summary>
    public static double ForwardSeconds(ICausalLanguageModel model, Tensor ids, int steps, BenchClock clock)
    {
        model.Module.eval();
        using var noGrad = inference_mode();
        return MedianSeconds(steps, clock, () =>
        {
            using var scope = NewDisposeScope();
            model.Forward(ids); // (B, T, V)
        });
    }

    /// <summary>
    /// Median seconds of <paramref name="steps"/> training forwards with next-token cross-entropy and backward
    /// (gradients of every parameter; no optimizer step) after a warm-up.
    /// </summary>
    public static double ForwardBackwardSeconds(ICausalLanguageModel model, Tensor ids, int steps, BenchClock clock)
    {
        model.Module.train();
        var (inputs, targets) = (ids.narrow(1, 0, ids.shape[1] - 1), ids.narrow(1, 1, ids.shape[1] - 1)); // (B, T-1) each
        try
        {
            return MedianSeconds(steps, clock, () =>
            {
                using var scope = NewDisposeScope();
                var logits = model.Forward(inputs); // (B, T-1, V)
                var loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten()); // ()
                loss.backward();
                model.Module.zero_grad();
            });
        }
        finally
        {
            model.Module.eval();
        }
    }

    /// <summary>Seconds and tokens of greedy generation of <paramref name="newTokens"/> tokens after BOS.</summary>
    public static (double Seconds, int[] Tokens) GreedySeconds(ICausalLanguageModel model, int bos, int newTokens, bool useKvCache, BenchClock clock)
    {
        var options = new GenerationOptions { MaxNewTokens = newTokens, UseKvCache = useKvCache };
        var start = clock.Now();
        var tokens = TextGenerator.Generate(model, [[bos]], options)[0];
        return (clock.SecondsSince(start), tokens);
    }

    private static double MedianSeconds(int steps, BenchClock clock, Action step)
    {
        step();
        var seconds = new double[steps];
        for (var i = 0; i < steps; i++)
        {
            // Finalizers of last step's tensors run here, outside the clock (ENVIRONMENT.md: page faults are costly).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var start = clock.Now();
            step();
            seconds[i] = clock.SecondsSince(start);
        }

        return Stats.Median(seconds);
    }
}
