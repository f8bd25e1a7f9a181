namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>
/// Length-controlled win rate as AlpacaEval 2 defines it (Dubois et al. 2024, "Length-Controlled AlpacaEval", eq. 2,
/// reduced to one candidate against one baseline): a logistic regression of the (soft) preference on an intercept and
/// tanh(Δ / sd(Δ)), where Δ = candidate length − baseline length and sd is the sample standard deviation (n − 1) of
/// Δ, not centred. The length-controlled win rate is the prediction at Δ = 0, i.e. sigmoid(intercept).
/// </summary>
internal static class LengthControlledWinRate
{
    private const int MaxIterations = 100;
    private const double StepTolerance = 1e-8;

    /// <summary>Fits the regression by Newton's method (IRLS) with step halving on the log-likelihood.</summary>
    /// <param name="preferences">Soft preferences y ∈ [0, 1] (1 win, 0.5 tie, 0 loss).</param>
    /// <param name="lengthDifferences">Δ = candidate length − baseline length, one per preference.</param>
    public static LengthControlledFit Fit(IReadOnlyList<double> preferences, IReadOnlyList<double> lengthDifferences)
    {
        if (preferences.Count != lengthDifferences.Count)
            throw new ArgumentException("one length difference per preference is required", nameof(lengthDifferences));
        if (preferences.Count == 0)
            throw new ArgumentException("the regression needs at least one preference", nameof(preferences));

        var y = preferences.ToArray();
        var x = Features(lengthDifferences);
        var meanY = y.Average();

        // All preferences at 0 or all at 1: the likelihood keeps rising as the intercept runs to ±∞; its limit is the data.
        if (meanY is 0.0 or 1.0 && y.All(v => v == meanY))
            return new LengthControlledFit(meanY == 1.0 ? double.PositiveInfinity : double.NegativeInfinity, 0, meanY, 0);

        // No length variation: the feature is identically zero and the intercept has the closed form logit(mean y).
        if (x.All(v => v == 0))
            return new LengthControlledFit(Math.Log(meanY / (1 - meanY)), 0, meanY, 0);

        double a = Math.Log(meanY / (1 - meanY)), b = 0;
        var logLikelihood = LogLikelihood(y, x, a, b);
        for (var iteration = 1; iteration <= MaxIterations; iteration++)
        {
            double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
            for (var i = 0; i < y.Length; i++)
            {
                var p = Sigmoid(a + b * x[i]);
                var residual = y[i] - p;
                var w = p * (1 - p);
                g0 += residual;
                g1 += residual * x[i];
                h00 += w;
                h01 += w * x[i];
                h11 += w * x[i] * x[i];
            }
            var determinant = h00 * h11 - h01 * h01;
            if (!(determinant > 0))
                break;
            var stepA = (h11 * g0 - h01 * g1) / determinant;
            var stepB = (h00 * g1 - h01 * g0) / determinant;
            // Newton converges quadratically to a finite maximum; under separation its steps never shrink.
            if (Math.Max(Math.Abs(stepA), Math.Abs(stepB)) < StepTolerance)
                return new LengthControlledFit(a + stepA, b + stepB, Sigmoid(a + stepA), iteration);

            var scale = 1.0;
            double nextA, nextB, nextLogLikelihood;
            do
            {
                nextA = a + scale * stepA;
                nextB = b + scale * stepB;
                nextLogLikelihood = LogLikelihood(y, x, nextA, nextB);
                scale /= 2;
            }
            // Halve only on a real decrease: near the optimum, rounding noise alone can lower the log-likelihood.
            while (nextLogLikelihood < logLikelihood - 1e-12 * Math.Abs(logLikelihood) && scale > 1e-10);
            (a, b, logLikelihood) = (nextA, nextB, nextLogLikelihood);
        }

        // Separation (or weights underflowing to a singular Hessian): the maximum lies at infinity, so there is no
        // finite length-controlled estimate.
        return new LengthControlledFit(a, b, null, MaxIterations);
    }

    /// <summary>tanh(Δ / sd(Δ)) with the sample standard deviation; all zeros when sd is 0 or there is one item.</summary>
    internal static double[] Features(IReadOnlyList<double> lengthDifferences)
    {
        var n = lengthDifferences.Count;
        if (n < 2)
            return new double[n];
        var mean = lengthDifferences.Average();
        var variance = lengthDifferences.Sum(d => (d - mean) * (d - mean)) / (n - 1);
        var sd = Math.Sqrt(variance);
        return sd == 0 ? new double[n] : lengthDifferences.Select(d => Math.Tanh(d / sd)).ToArray();
    }

    private static double LogLikelihood(double[] y, double[] x, double a, double b)
    {
        var sum = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            var eta = a + b * x[i];
            // log p = −softplus(−η), log(1 − p) = −softplus(η)
            sum -= y[i] * Softplus(-eta) + (1 - y[i]) * Softplus(eta);
        }
        return sum;
    }

    private static double Softplus(double z) => z > 0 ? z + double.LogP1(Math.Exp(-z)) : double.LogP1(Math.Exp(z));

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
