using System.Text;

namespace AlignmentPipeline.Bench.Data;

/// <summary>What <see cref="PairGenerator.Write"/> planted.</summary>
internal sealed record GeneratedCorpus(long Rows, long Bytes, long ExactDuplicates, long NearDuplicates, long BadRows, long LongRows);

/// <summary>
/// Deterministic canonical JSONL preference pairs. Row i draws its kind from a hash of i: 5% exact duplicates of an
/// earlier row (with extra white space, so only normalization makes them equal), 5% near duplicates (an earlier row
/// with one word of the chosen response replaced), 0.1% bad rows (invalid JSON, chosen == rejected, empty chosen),
/// 0.5% over-long rows (rejected repeated six times, for the filter), the rest fresh. A row's text is a function of
/// its content seed alone, so duplicates need no memory of earlier rows.
/// </summary>
internal static class PairGenerator
{
    private static readonly string[] Words = MakeWords(5000);

    public static GeneratedCorpus Write(BenchOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(options.InputPath(0))!);
        long exact = 0, near = 0, bad = 0, longRows = 0, bytes = 0;
        var line = new StringBuilder(4096);
        long next = 0;
        for (int f = 0; f < options.Files; f++)
        {
            long end = options.Rows * (f + 1) / options.Files;
            using var writer = new StreamWriter(options.InputPath(f), append: false, new UTF8Encoding(false), 1 << 20);
            for (; next < end; next++)
            {
                long i = next;
                ulong h = Mix((ulong)i);
                double u = (h >> 11) * (1.0 / (1UL << 53));
                long earlier = i == 0 ? 0 : (long)(Mix(h) % (ulong)i);
                line.Clear();
                if (i > 0 && u < 0.05)
                {
                    exact++;
                    AppendPair(line, Content((ulong)earlier), extraSpace: true, replaceWord: -1, repeatRejected: 1);
                }
                else if (i > 0 && u < 0.10)
                {
                    near++;
                    AppendPair(line, Content((ulong)earlier), extraSpace: false, replaceWord: (int)(h % 97), repeatRejected: 1);
                }
                else if (u < 0.101)
                {
                    bad++;
                    AppendBad(line, i);
                }
                else if (u < 0.106)
                {
                    longRows++;
                    AppendPair(line, Content((ulong)i), extraSpace: false, replaceWord: -1, repeatRejected: 6);
                }
                else
                {
                    AppendPair(line, Content((ulong)i), extraSpace: false, replaceWord: -1, repeatRejected: 1);
                }

                writer.Write(line);
                writer.Write('\n');
                bytes += line.Length + 1;
                if ((i + 1) % Math.Max(1, options.Rows / 10) == 0)
                {
                    Console.WriteLine($"  generated {i + 1:N0} / {options.Rows:N0}");
                }
            }
        }

        return new GeneratedCorpus(options.Rows, bytes, exact, near, bad, longRows);
    }

    private static (string[] Prompt, string[] Chosen, string[] Rejected) Content(ulong seed)
    {
        ulong state = Mix(seed ^ 0xA5A5A5A5A5A5A5A5UL);
        string[] Text(int min, int max)
        {
            var words = new string[min + (int)(Next(ref state) % (ulong)(max - min + 1))];
            for (int w = 0; w < words.Length; w++)
            {
                words[w] = Words[Next(ref state) % (ulong)Words.Length];
            }

            return words;
        }

        return (Text(15, 40), Text(40, 120), Text(40, 120));
    }

    private static void AppendPair(StringBuilder line, (string[] Prompt, string[] Chosen, string[] Rejected) pair, bool extraSpace, int replaceWord, int repeatRejected)
    {
        var chosen = pair.Chosen;
        if (replaceWord >= 0)
        {
            chosen = (string[])chosen.Clone();
            chosen[replaceWord % chosen.Length] = "altered";
        }

        line.Append("{\"prompt\": \"").AppendJoin(extraSpace ? "  " : " ", pair.Prompt).Append(extraSpace ? "\\n" : "")
            .Append("\", \"chosen\": \"").AppendJoin(' ', chosen)
            .Append("\", \"rejected\": \"");
        for (int r = 0; r < repeatRejected; r++)
        {
            line.Append(r > 0 ? " " : "").AppendJoin(' ', pair.Rejected);
        }

        line.Append("\"}");
    }

    private static void AppendBad(StringBuilder line, long i)
    {
        var (prompt, chosen, _) = Content((ulong)i);
        switch (i % 3)
        {
            case 0:
                line.Append("{\"prompt\": \"").AppendJoin(' ', prompt).Append("\", \"chosen\": \"unterminated");
                break;
            case 1:
                line.Append("{\"prompt\": \"").AppendJoin(' ', prompt).Append("\", \"chosen\": \"").AppendJoin(' ', chosen)
                    .Append("\", \"rejected\": \"").AppendJoin(' ', chosen).Append("\"}");
                break;
            default:
                line.Append("{\"prompt\": \"").AppendJoin(' ', prompt).Append("\", \"chosen\": \"\", \"rejected\": \"").AppendJoin(' ', chosen).Append("\"}");
                break;
        }
    }

    private static string[] MakeWords(int count)
    {
        string[] syllables = ["ka", "lo", "mi", "su", "te", "ra", "no", "vi", "de", "po", "an", "el", "or", "us", "in", "qu", "zy", "ho"];
        var words = new HashSet<string>(StringComparer.Ordinal);
        ulong state = 12345;
        while (words.Count < count)
        {
            int parts = 1 + (int)(Next(ref state) % 4);
            var word = new StringBuilder();
            for (int p = 0; p < parts; p++)
            {
                word.Append(syllables[Next(ref state) % (ulong)syllables.Length]);
            }

            words.Add(word.ToString());
        }

        return words.Order(StringComparer.Ordinal).ToArray();
    }

    private static ulong Next(ref ulong state) => Mix(state += 0x9E3779B97F4A7C15UL);

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
