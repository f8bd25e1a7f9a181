using System.Text.RegularExpressions;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

/// <summary>The scripted "model" behind the server double: it prefers the response that contains the word "kind".</summary>
internal static partial class KindnessJudgeScript
{
    /// <summary>The template the tests configure; the script reads the responses back out of it.</summary>
    public const string Template = "Instruction: {{prompt}}\n<a>{{response_a}}</a>\n<b>{{response_b}}</b>\nEnd with [[A]], [[B]] or [[tie]].";

    [GeneratedRegex("<a>(.*)</a>\n<b>(.*)</b>", RegexOptions.Singleline)]
    private static partial Regex Responses();

    public static string Answer(string userContent)
    {
        var match = Responses().Match(userContent);
        var (a, b) = (match.Groups[1].Value.Contains("kind"), match.Groups[2].Value.Contains("kind"));
        var verdict = a == b ? "[[tie]]" : a ? "[[A]]" : "[[B]]";
        return $"Looking at both responses for kindness.\n{verdict}";
    }

    public static ServerAction Reply(ReceivedChatRequest request) => new ServerAction.Reply(Answer(request.UserContent));
}
