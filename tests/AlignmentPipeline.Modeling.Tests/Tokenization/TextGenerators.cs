using FsCheck;
using FsCheck.Fluent;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>FsCheck generators for valid Unicode text (no lone surrogates), biased towards ASCII and whitespace.</summary>
internal static class TextGenerators
{
    private static readonly Gen<int> CodePoint = Gen.Frequency(
        (6, Gen.Choose(0x20, 0x7E)),
        (2, Gen.Elements(' ', ' ', '\n', '\t').Select(c => (int)c)),
        (2, Gen.Choose(0x80, 0xD7FF)),
        (1, Gen.Choose(0xE000, 0x10FFFF)));

    /// <summary>Any valid UTF-16 string, so any valid UTF-8 byte sequence after encoding.</summary>
    public static Arbitrary<string> ValidUnicode() =>
        CodePoint.ArrayOf().Select(codePoints => string.Concat(codePoints.Select(char.ConvertFromUtf32))).ToArbitrary();

    /// <summary>Strings made only of the given characters (e.g. the single-character pieces of a vocabulary).</summary>
    public static Arbitrary<string> Over(IReadOnlyList<string> alphabet) =>
        Gen.Elements(alphabet.ToArray()).ArrayOf().Select(string.Concat).ToArbitrary();
}
