namespace AlignmentPipeline.Data.Synthetic;

/// <summary>
/// Short stories in one fixed shape whose endings are either kind or unkind. The preference (kind over unkind) is easy
/// for a tiny model to learn and for a word-list judge to score: kind endings use words like "shared", "friends",
/// "happy"; unkind endings use "grabbed", "yelled", "hurt".
/// </summary>
internal static class StoryGrammar
{
    private static readonly string[] Names = ["Tom", "Lily", "Max", "Sue", "Ben", "Mia", "Sam", "Zoe", "Tim", "Amy", "Leo", "Ann"];
    private static readonly string[] Animals = ["cat", "dog", "bird", "fox", "bear", "frog", "duck", "bunny", "mouse", "lion"];
    private static readonly string[] Places = ["park", "garden", "forest", "beach", "school", "farm", "river", "hill"];
    private static readonly string[] Things = ["ball", "apple", "kite", "cake", "toy", "book", "flower", "hat"];
    private static readonly string[] Others = ["friend", "girl", "boy", "puppy", "kitten", "duckling"];

    private static readonly string[] KindEndings =
    [
        "{0} shared the {1} and they became friends. They were happy.",
        "{0} helped the {2} find the {1}. The {2} smiled and said thank you.",
        "{0} gave the {1} to the {2} with a hug. They played together and were glad.",
        "{0} said sorry and shared the {1}. The {2} was happy and they were friends.",
    ];

    private static readonly string[] UnkindEndings =
    [
        "{0} grabbed the {1} and yelled at the {2}. The {2} was hurt and sad.",
        "{0} pushed the {2} and took the {1}. The {2} cried and went home.",
        "{0} stole the {1} and teased the {2}. It was mean and the {2} was hurt.",
        "{0} kicked the {1} away and shouted. The {2} was angry and left.",
    ];

    public static (string Prompt, string Chosen, string Rejected) Pair(Random random)
    {
        string name = Pick(random, Names);
        string animal = Pick(random, Animals);
        string place = Pick(random, Places);
        string thing = Pick(random, Things);
        string other = Pick(random, Others);
        string prompt = $"Tell a story about {name} the {animal}.";
        string opening = $"{name} the {animal} went to the {place}. {name} saw a {other} with a {thing}. ";
        string chosen = opening + string.Format(System.Globalization.CultureInfo.InvariantCulture, Pick(random, KindEndings), name, thing, other);
        string rejected = opening + string.Format(System.Globalization.CultureInfo.InvariantCulture, Pick(random, UnkindEndings), name, thing, other);
        return (prompt, chosen, rejected);
    }

    /// <summary>The same text with one story word swapped for another of its kind (a near duplicate).</summary>
    public static string Perturb(string text, Random random)
    {
        foreach (var list in new[] { Places, Things, Others }.OrderBy(_ => random.Next()))
        {
            var present = list.Where(w => text.Contains($" {w}", StringComparison.Ordinal)).ToList();
            if (present.Count > 0)
            {
                string word = Pick(random, present);
                string replacement = Pick(random, list.Where(w => w != word).ToList());
                int at = text.IndexOf($" {word}", StringComparison.Ordinal);
                return string.Concat(text.AsSpan(0, at + 1), replacement, text.AsSpan(at + 1 + word.Length));
            }
        }

        return text + " The end.";
    }

    private static string Pick(Random random, IReadOnlyList<string> items) => items[random.Next(items.Count)];
}
