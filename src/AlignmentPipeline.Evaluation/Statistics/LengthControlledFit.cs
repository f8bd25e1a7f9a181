namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>Result of the length-control regression: logit P(candidate preferred) = Intercept + LengthCoefficient · tanh(Δ / sd(Δ)).</summary>
/// <param name="Intercept">Fitted intercept; its sigmoid is the length-controlled win rate.</param>
/// <param name="LengthCoefficient">Fitted weight of the squashed, standardized length difference.</param>
/// <param name="WinRate">sigmoid(Intercept): the predicted preference at zero length difference; null when no finite fit exists.</param>
/// <param name="Iterations">Newton iterations used (0 when the fit was closed-form).</param>
internal sealed record LengthControlledFit(double Intercept, double LengthCoefficient, double? WinRate, int Iterations);
