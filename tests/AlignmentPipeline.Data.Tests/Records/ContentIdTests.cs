using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Tests.Records;

public sealed class ContentIdTests
{
    [Fact]
    public void Normalization_composes_to_NFC_and_collapses_white_space()
    {
        // "é" written as e + combining acute (U+0301) is one character after NFC.
        Assert.Equal("caf\u00e9 au lait", ContentId.Normalize("  cafe\u0301 \t au\r\n lait "));
    }

    [Fact]
    public void Ids_agree_for_texts_that_differ_only_in_normal_form_and_spacing()
    {
        Assert.Equal(ContentId.Of("Caf\u00e9?", "Yes.", "No."), ContentId.Of("Cafe\u0301?  ", "Yes.", " No."));
        Assert.NotEqual(ContentId.Of("a", "b", "c"), ContentId.Of("a", "c", "b"));
        Assert.Matches("^[0-9a-f]{32}$", ContentId.Of("a", "b", "c"));
    }
}
