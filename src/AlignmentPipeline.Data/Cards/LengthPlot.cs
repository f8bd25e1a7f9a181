using ScottPlot;

namespace AlignmentPipeline.Data.Cards;

/// <summary>A length histogram as a PNG bar chart (ScottPlot): one bar per bin from the first to the last non-empty bin.</summary>
internal static class LengthPlot
{
    private const int Width = 640;
    private const int Height = 400;
    private const int BottomPanel = 110;
    private const int RightPanel = 70;

    public static byte[] Png(string title, LengthHistogram histogram)
    {
        var plot = new Plot();
        var (first, last) = NonEmptyRange(histogram);
        if (first <= last)
        {
            double[] positions = Enumerable.Range(0, last - first + 1).Select(i => (double)i).ToArray();
            double[] values = Enumerable.Range(first, last - first + 1).Select(b => (double)histogram.Counts[b]).ToArray();
            plot.Add.Bars(positions, values);
            plot.Axes.Bottom.SetTicks(positions, Enumerable.Range(first, last - first + 1).Select(LengthHistogram.Label).ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = BottomPanel; // room for rotated range labels below the bars and the axis title
            plot.Axes.Right.MinimumSize = RightPanel; // the last label leans right of its bar
            plot.Axes.Margins(bottom: 0);
        }

        plot.Title(histogram.Rows == 0 ? $"{title} (no rows)" : title);
        plot.XLabel("characters");
        plot.YLabel("rows");
        using var image = plot.GetImage(Width, Height);
        return image.GetImageBytes(ImageFormat.Png);
    }

    internal static (int First, int Last) NonEmptyRange(LengthHistogram histogram)
    {
        int first = 0, last = histogram.Counts.Count - 1;
        while (first <= last && histogram.Counts[first] == 0)
        {
            first++;
        }

        while (last >= first && histogram.Counts[last] == 0)
        {
            last--;
        }

        return (first, last);
    }
}
