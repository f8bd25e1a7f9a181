namespace AlignmentPipeline.Training.Metrics;

/// <summary>
/// Guard rail for DPO-style training: −log σ(0) = ln 2, so a loss that stays at 0.6931 means the implicit reward
/// margin is still zero. Feed it every optimizer step; it warns once per plateau when the loss has stayed within
/// <c>tolerance</c> of ln 2 for <c>patience</c> consecutive steps whose learning rate was non-zero (warmup steps
/// at rate 0 neither count nor break the run).
/// </summary>
internal sealed class DpoLossPlateauDetector
{
    /// <summary>Default half-width of the band around ln 2.</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>Default number of consecutive steps before warning.</summary>
    public const int DefaultPatience = 5;

    /// <summary>A learning rate below this is reported as too small to move a DPO loss within a few steps.</summary>
    public const double SmallLearningRate = 1e-7;

    private readonly int _patience;
    private readonly double _tolerance;
    private long _runStart = -1;
    private int _runLength;
    private bool _warned;
    private readonly List<(double LearningRate, double? GradNorm, double? Margin)> _evidence = [];

    public DpoLossPlateauDetector(int patience = DefaultPatience, double tolerance = DefaultTolerance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tolerance);
        _patience = patience;
        _tolerance = tolerance;
    }

    /// <summary>
    /// Records one step and returns a warning the first time the plateau reaches the patience, otherwise null.
    /// <paramref name="gradNorm"/> and <paramref name="rewardMargin"/> are optional evidence that sharpens the causes.
    /// </summary>
    public PlateauWarning? Observe(long step, double loss, double learningRate, double? gradNorm = null, double? rewardMargin = null)
    {
        if (learningRate == 0)
        {
            return null;
        }
        if (!(Math.Abs(loss - Math.Log(2)) <= _tolerance))
        {
            _runStart = -1;
            _runLength = 0;
            _warned = false;
            _evidence.Clear();
            return null;
        }
        if (_runLength == 0)
        {
            _runStart = step;
        }
        _runLength++;
        _evidence.Add((learningRate, gradNorm, rewardMargin));
        if (_runLength < _patience || _warned)
        {
            return null;
        }
        _warned = true;
        return new PlateauWarning(_runStart, step, LikelyCauses());
    }

    /// <summary>Runs a fresh detector over logged rows (e.g. a finished run's metrics.jsonl) and returns every warning.</summary>
    public static IReadOnlyList<PlateauWarning> Scan(IEnumerable<MetricsRow> rows, int patience = DefaultPatience, double tolerance = DefaultTolerance)
    {
        var detector = new DpoLossPlateauDetector(patience, tolerance);
        var warnings = new List<PlateauWarning>();
        foreach (var row in rows)
        {
            if (row.Get(MetricNames.Loss) is { } loss && row.Get(MetricNames.LearningRate) is { } learningRate &&
                detector.Observe(row.Step, loss, learningRate, row.Get(MetricNames.GradNorm), row.Get(MetricNames.RewardsMargins)) is { } warning)
            {
                warnings.Add(warning);
            }
        }
        return warnings;
    }

    private List<string> LikelyCauses()
    {
        var maxLearningRate = _evidence.Max(e => e.LearningRate);
        var gradientsZero = _evidence.All(e => e.GradNorm is 0);
        var marginsZero = _evidence.All(e => e.Margin is { } m && Math.Abs(m) < 1e-9);
        var frozen = "policy not updated: parameters frozen (requires_grad false), missing from the optimizer, or the " +
            "log-probs computed under no_grad/detached, so no gradient reaches the policy" +
            (gradientsZero ? " — grad_norm is 0 at every step of the plateau" : "");
        var identical = "rewards identical: the reference equals the policy and gradients don't flow — e.g. the reference " +
            "log-probs are recomputed from the policy object itself, or the optimizer steps a copy of the model" +
            (marginsZero ? " — rewards/margins is exactly 0 at every step" : "");
        var small = $"learning rate too small: at most {maxLearningRate:0.###e0} during the plateau" +
            (maxLearningRate < SmallLearningRate ? $", below {SmallLearningRate:0e0}" : "; DPO usually uses 5e-7–5e-6") +
            " (check warmup length and the schedule)";
        var causes = new List<(string Text, bool Evidence)>
        {
            (frozen, gradientsZero),
            (identical, marginsZero),
            (small, maxLearningRate < SmallLearningRate),
        };
        return causes.OrderByDescending(c => c.Evidence).Select(c => c.Text).ToList();
    }
}
