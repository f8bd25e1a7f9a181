using ScottPlot;

namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>PNG plots of a report, drawn with ScottPlot.</summary>
internal static class ReportPlots
{
    private const int Width = 640;
    private const int Height = 420;
    private const int HistogramBins = 30;

    /// <summary>The win rate with its bootstrap interval, the length-controlled win rate, and a dashed line at 50%.</summary>
    public static byte[] WinRate(EvaluationReport report)
    {
        var s = report.Summary;
        var plot = new Plot();
        var half = plot.Add.HorizontalLine(0.5);
        half.LinePattern = LinePattern.Dashed;
        half.Color = Colors.Gray;
        var interval = plot.Add.Line(1, s.CiLow, 1, s.CiHigh);
        interval.LineWidth = 3;
        interval.Color = Colors.Blue;
        var raw = plot.Add.Marker(1, s.WinRate);
        raw.Color = Colors.Blue;
        raw.Size = 12;
        double[] positions = [1, 2];
        string[] labels = ["win rate", s.LcWinRate is null ? "LC win rate (n/a)" : "LC win rate"];
        if (s.LcWinRate is { } lc)
        {
            var lengthControlled = plot.Add.Marker(2, lc);
            lengthControlled.Color = Colors.Orange;
            lengthControlled.Size = 12;
        }
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.SetLimits(0.5, 2.5, 0, 1);
        plot.Title($"{report.Candidate} vs {report.Baseline} (n = {s.N}, {100 * report.CiLevel:F0}% interval)");
        plot.YLabel("candidate win rate");
        return Png(plot);
    }

    /// <summary>Frequency polygons of two samples over shared bins, e.g. response lengths or judge scores.</summary>
    public static byte[] Distributions(string title, string xLabel, (string Label, IReadOnlyList<double> Values) first, (string Label, IReadOnlyList<double> Values) second)
    {
        var all = first.Values.Concat(second.Values).ToList();
        var plot = new Plot();
        if (all.Count > 0)
        {
            var (min, max) = (all.Min(), all.Max());
            // Small integer scores (word counts) get one bin per value; anything else gets equal-width bins.
            var integral = all.All(v => v == Math.Floor(v)) && max - min < 60;
            var bins = integral ? (int)(max - min) + 1 : HistogramBins;
            if (integral || max == min)
                (min, max) = (min - 0.5, max + 0.5);
            var width = (max - min) / bins;
            var centers = Enumerable.Range(0, bins).Select(i => min + (i + 0.5) * width).ToArray();
            foreach (var (label, values, color) in new[] { (first.Label, first.Values, Colors.Blue), (second.Label, second.Values, Colors.Orange) })
            {
                var counts = new double[bins];
                foreach (var value in values)
                    counts[Math.Min((int)((value - min) / width), bins - 1)]++;
                var line = plot.Add.Scatter(centers, counts);
                line.LegendText = $"{label} (n = {values.Count}, mean {(values.Count > 0 ? values.Average() : double.NaN):F1})";
                line.Color = color;
            }
            plot.ShowLegend();
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("items");
        return Png(plot);
    }

    private static byte[] Png(Plot plot)
    {
        using var image = plot.GetImage(Width, Height);
        return image.GetImageBytes(ImageFormat.Png);
    }
}
