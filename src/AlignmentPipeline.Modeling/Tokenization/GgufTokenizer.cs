using System.Runtime.InteropServices;
using System.Text;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// Builds the tokenizer of a GGUF vocabulary with <c>tokenizer.ggml.model = llama</c>. It encodes exactly like the
/// llama2.c tokenizer of the same vocabulary (stories260K gives identical ids): U+2581 becomes a space, byte pieces
/// are the tokens of type 6, control tokens (type 3) are skipped when decoding.
/// </summary>
public static class GgufTokenizer
{
    private const int ControlType = 3;
    private const int ByteType = 6;

    /// <summary>Creates the tokenizer; its content hash covers the vocabulary arrays only, not the model weights.</summary>
    /// <exception cref="NotSupportedException">The vocabulary is not a SentencePiece ("llama") vocabulary.</exception>
    /// <exception cref="InvalidDataException">The arrays disagree in length.</exception>
    public static ITokenizer Create(GgufVocabulary vocabulary)
    {
        if (vocabulary.Model != "llama")
        {
            throw new NotSupportedException(
                $"GGUF tokenizer.ggml.model '{vocabulary.Model}' is not supported; only 'llama' (SentencePiece BPE) is. " +
                "Use the model's tokenizer.json instead.");
        }
        var count = vocabulary.Tokens.Count;
        if (vocabulary.Scores.Count != count || vocabulary.TokenTypes.Count != count)
        {
            throw new InvalidDataException(
                $"GGUF vocabulary has {count} tokens, {vocabulary.Scores.Count} scores and {vocabulary.TokenTypes.Count} token types; they must match.");
        }

        var pieces = vocabulary.Tokens.Select(token => token.Replace('\u2581', ' ')).ToArray();
        var byteIds = Enumerable.Repeat(-1, 256).ToArray();
        for (var id = 0; id < count; id++)
        {
            if (vocabulary.TokenTypes[id] == ByteType && pieces[id] is ['<', '0', 'x', _, _, '>'] piece
                && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var value))
            {
                byteIds[value] = id;
            }
        }
        var controlIds = Enumerable.Range(0, count).Where(id => vocabulary.TokenTypes[id] == ControlType);
        return new SentencePieceBpeTokenizer(
            pieces, vocabulary.Scores, byteIds, vocabulary.BosId, vocabulary.EosId, vocabulary.UnkId, controlIds,
            Hash(vocabulary));
    }

    private static string Hash(GgufVocabulary vocabulary)
    {
        var tokens = Encoding.UTF8.GetBytes(string.Join('\0', vocabulary.Tokens));
        var scores = MemoryMarshal.AsBytes(vocabulary.Scores.ToArray().AsSpan()).ToArray();
        var types = MemoryMarshal.AsBytes(vocabulary.TokenTypes.ToArray().AsSpan()).ToArray();
        var special = Encoding.UTF8.GetBytes($"bos={vocabulary.BosId};eos={vocabulary.EosId};unk={vocabulary.UnkId}");
        return TokenizerHash.Compute("gguf-llama-vocabulary/v1", tokens, scores, types, special);
    }
}
