using AlignmentPipeline.Core;
using AlignmentPipeline.Evaluation.Agreement;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Evaluation.Tests.Agreement;

public sealed class HumanLabelledPairsTests
{
    [Fact]
    public void A_JSON_array_in_PandaLM_form_takes_the_annotator_majority_and_keeps_non_text_responses_as_null()
    {
        using var temp = new TempDirectory("labelled");
        temp.Write("set.json", """
            [
              {"idx": 7, "instruction": "Add.", "input": "2 + 2", "response1": "4", "response2": "5", "annotator1": 1, "annotator2": 1, "annotator3": 2},
              {"idx": 8, "instruction": "Say hi.", "input": "", "response1": true, "response2": "hi", "annotator1": 0, "annotator2": 2, "annotator3": 0},
              {"idx": 9, "instruction": "Pick.", "input": "", "response1": "a", "response2": "b", "annotator1": 0, "annotator2": 1, "annotator3": 2}
            ]
            """);

        var pairs = HumanLabelledPairs.Load(temp.File("set.json"));

        Assert.Equal(
            [
                new HumanLabelledPair("7", "Add.\n\n2 + 2", "4", "5", Verdict.Win),
                new HumanLabelledPair("8", "Say hi.", null, "hi", Verdict.Tie),
                new HumanLabelledPair("9", "Pick.", "a", "b", null),
            ],
            pairs);
    }

    [Fact]
    public void A_JSONL_file_reads_prompt_and_label_and_numbers_rows_without_an_id()
    {
        using var temp = new TempDirectory("labelled");
        temp.Write("set.jsonl", "{\"prompt\": \"p\", \"response1\": \"x\", \"response2\": \"yy\", \"label\": 2}\n\n{\"prompt\": \"q\", \"response1\": \"z\", \"response2\": \"w\", \"label\": 0}\n");

        var pairs = HumanLabelledPairs.Load(temp.File("set.jsonl"));

        Assert.Equal([new HumanLabelledPair("0", "p", "x", "yy", Verdict.Loss), new HumanLabelledPair("1", "q", "z", "w", Verdict.Tie)], pairs);
    }

    [Fact]
    public void A_row_without_a_label_or_with_an_unknown_label_is_an_error_naming_the_line()
    {
        using var temp = new TempDirectory("labelled");
        temp.Write("none.jsonl", "{\"prompt\": \"p\", \"response1\": \"x\", \"response2\": \"y\", \"label\": 1}\n{\"prompt\": \"p\", \"response1\": \"x\", \"response2\": \"y\"}\n");
        temp.Write("bad.jsonl", "{\"prompt\": \"p\", \"response1\": \"x\", \"response2\": \"y\", \"label\": 3}\n");

        var missing = Assert.Throws<UserErrorException>(() => HumanLabelledPairs.Load(temp.File("none.jsonl")));
        var unknown = Assert.Throws<UserErrorException>(() => HumanLabelledPairs.Load(temp.File("bad.jsonl")));

        Assert.Contains("line 2 has neither 'label' nor 'annotator1'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("line 1 has label '3'", unknown.Message, StringComparison.Ordinal);
    }
}
