namespace AlignmentPipeline.Training.Tests.Losses;

/// <summary>
/// Scalar double-precision transcriptions of the TRL formulas, written independently of the tensor code, one example
/// at a time. a = π_c − ref_c, b = π_r − ref_r, z = a − b.
/// </summary>
internal static class NaiveLosses
{
    public static double LogSigmoid(double x) => x >= 0 ? -Math.Log(1 + Math.Exp(-x)) : x - Math.Log(1 + Math.Exp(x));

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Loss(string name, double pc, double pr, double rc, double rr, double nc, double nr,
        double beta, double labelSmoothing, double gamma, double lambda, double bcoDelta)
    {
        var a = pc - rc;
        var b = pr - rr;
        var z = a - b;
        var e = labelSmoothing;
        return name switch
        {
            "sigmoid" => -(1 - e) * LogSigmoid(beta * z) - e * LogSigmoid(-beta * z),
            "robust" => (-(1 - e) * LogSigmoid(beta * z) + e * LogSigmoid(-beta * z)) / (1 - 2 * e),
            "ipo" => Math.Pow(a / nc - b / nr - 1 / (2 * beta), 2),
            "hinge" => Math.Max(0, 1 - beta * z),
            "bco_pair" => -LogSigmoid(beta * a - bcoDelta) - LogSigmoid(-(beta * b - bcoDelta)),
            "apo_zero" => 1 - Sigmoid(beta * a) + Sigmoid(beta * b),
            "sppo_hard" => Math.Pow(a - 0.5 / beta, 2) + Math.Pow(b + 0.5 / beta, 2),
            "nca_pair" => -LogSigmoid(beta * a) - 0.5 * LogSigmoid(-beta * a) - 0.5 * LogSigmoid(-beta * b),
            "sft" => -pc / nc,
            "simpo" => -(1 - e) * LogSigmoid(beta * (pc / nc - pr / nr) - gamma) - e * LogSigmoid(-(beta * (pc / nc - pr / nr) - gamma)),
            "orpo" => Orpo(pc / nc, pr / nr, lambda),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no naive implementation"),
        };
    }

    private static double Orpo(double ac, double ar, double lambda)
    {
        var logOdds = ac - ar - (Math.Log(1 - Math.Exp(ac)) - Math.Log(1 - Math.Exp(ar)));
        return -ac - lambda * LogSigmoid(logOdds);
    }
}
