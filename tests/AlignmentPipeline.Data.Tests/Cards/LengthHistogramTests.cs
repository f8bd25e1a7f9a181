using AlignmentPipeline.Data.Cards;

namespace AlignmentPipeline.Data.Tests.Cards;

public sealed class LengthHistogramTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1")]
    [InlineData(4, "2–4")]
    [InlineData(5, "5–9")]
    [InlineData(199, "100–199")]
    [InlineData(200, "200–499")]
    [InlineData(9_999_999, "5000000–9999999")]
    [InlineData(10_000_000, "≥ 10000000")]
    [InlineData(int.MaxValue, "≥ 10000000")]
    public void Lengths_fall_into_bins_on_the_one_two_five_series(int length, string label)
    {
        Assert.Equal(label, LengthHistogram.Label(LengthHistogram.Bin(length)));
    }

    [Fact]
    public void Merged_task_histograms_equal_one_histogram_of_every_length_even_through_json()
    {
        var random = new Random(11);
        var lengths = Enumerable.Range(0, 500).Select(_ => random.Next(0, 3000)).ToList();
        var whole = new LengthHistogram();
        lengths.ForEach(whole.Add);
        var merged = new LengthHistogram();
        foreach (var chunk in lengths.Chunk(120))
        {
            var part = new LengthHistogram();
            foreach (int length in chunk)
            {
                part.Add(length);
            }

            merged.Merge(LengthHistogram.FromJson(part.ToJson()));
        }

        merged.Merge(new LengthHistogram());
        Assert.Equal(whole.Counts, merged.Counts);
        Assert.Equal((500L, (long)lengths.Min(), (long)lengths.Max(), lengths.Sum(l => (long)l)), (merged.Rows, merged.Min, merged.Max, merged.Total));
        Assert.Equal(lengths.Average(), merged.Mean, 1e-12);
    }
}
