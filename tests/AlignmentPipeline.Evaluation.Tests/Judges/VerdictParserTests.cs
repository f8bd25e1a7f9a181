using AlignmentPipeline.Evaluation.Judges.Llm;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

public sealed class VerdictParserTests
{
    [Theory]
    [InlineData("Response A is better.\n[[A]]", OrderVerdict.A)]
    [InlineData("Reasoning.\n\n  [[B]]  \n\n", OrderVerdict.B)]
    [InlineData("Both fine.\r\n[[tie]]\r\n", OrderVerdict.Tie)]
    [InlineData("[[TIE]]", OrderVerdict.Tie)]
    public void A_final_verdict_line_is_read(string reply, OrderVerdict expected) =>
        Assert.Equal(expected, VerdictParser.Parse(reply));

    [Theory]
    [InlineData("")]
    [InlineData("I think [[A]] is better.")]
    [InlineData("[[A]]\nActually, on reflection, B.")]
    [InlineData("**[[A]]**")]
    [InlineData("[[a]]")]
    [InlineData("[[C]]")]
    public void Anything_but_an_exact_final_verdict_line_is_unparsable(string reply) =>
        Assert.Null(VerdictParser.Parse(reply));

    [Fact]
    public void Rendering_fills_placeholders_once_and_leaves_braces_inside_responses_alone()
    {
        var text = LlmPromptTemplate.Render("P={{prompt}} A={{response_a}} B={{response_b}}", "q", "{{response_b}}", "b");

        Assert.Equal("P=q A={{response_b}} B=b", text);
    }
}
