using AlignmentPipeline.Modeling.LogProbs;

namespace AlignmentPipeline.Modeling.Tests;

public sealed class LengthBucketsTests
{
    [Fact]
    public void Batches_group_similar_lengths_longest_first_under_the_token_budget()
    {
        // Sorted: 100 (#1), 100 (#3), 30 (#4), 7 (#2), 5 (#0). 2 × 100 = 200 fits; a third 100-row batch member would
        // pad to 300. Then 30, 7, 5 pad to 3 × 30 = 90.
        var batches = LengthBuckets.Plan([5, 100, 7, 100, 30], tokenBudget: 200);

        Assert.Equal([[1, 3], [4, 2, 0]], batches);
    }

    [Fact]
    public void A_sequence_longer_than_the_budget_gets_its_own_batch_and_batch_size_is_capped()
    {
        Assert.Equal([[0], [1, 2], [3]], LengthBuckets.Plan([500, 10, 10, 10], tokenBudget: 100, maxBatchSize: 2));
    }
}
