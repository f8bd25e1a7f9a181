using System.Text;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// Reads a llama2.c <c>tokenizer.bin</c>: uint32 max_token_length, then per token a float32 score, a uint32 byte
/// length and the piece bytes (little-endian). Ids 0/1/2 are unk/BOS/EOS (written "&lt;unk&gt;", "\n&lt;s&gt;\n",
/// "\n&lt;/s&gt;\n") and ids 3..258 the byte pieces <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>, as run.c assumes.
/// </summary>
public static class Llama2cTokenizer
{
    private const int UnkId = 0;
    private const int BosId = 1;
    private const int EosId = 2;
    private const int ByteOffset = 3;

    /// <summary>Loads <paramref name="path"/>; the vocabulary size is the number of records in the file.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or a piece is not valid UTF-8.</exception>
    public static ITokenizer Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var (pieces, scores) = Parse(bytes, path);
        if (pieces.Count < ByteOffset + 256)
        {
            throw new InvalidDataException($"{path}: {pieces.Count} tokens; a llama2.c vocabulary has unk, BOS, EOS and 256 byte pieces (≥ 259 tokens).");
        }
        var byteIds = Enumerable.Range(ByteOffset, 256).ToArray();
        return new SentencePieceBpeTokenizer(
            pieces, scores, byteIds, BosId, EosId, UnkId, controlIds: [],
            TokenizerHash.Compute("llama2c-tokenizer.bin/v1", bytes));
    }

    private static (List<string> Pieces, List<float> Scores) Parse(byte[] bytes, string path)
    {
        var strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var pieces = new List<string>();
        var scores = new List<float>();
        using var reader = new BinaryReader(new MemoryStream(bytes));
        try
        {
            reader.ReadUInt32(); // max_token_length: a buffer size for run.c, not needed here
            while (reader.BaseStream.Position < bytes.Length)
            {
                scores.Add(reader.ReadSingle());
                var length = checked((int)reader.ReadUInt32());
                var piece = reader.ReadBytes(length);
                if (piece.Length != length)
                {
                    throw new EndOfStreamException();
                }
                pieces.Add(strictUtf8.GetString(piece));
            }
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated at token {pieces.Count}; expected (float32 score, uint32 length, bytes) records to the end of the file.");
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{path}: piece {pieces.Count} is not valid UTF-8.");
        }
        return (pieces, scores);
    }
}
