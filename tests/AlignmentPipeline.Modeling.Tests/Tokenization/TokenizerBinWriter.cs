using System.Text;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>Writes small llama2.c tokenizer.bin files: unk, BOS, EOS, the 256 byte pieces, then the given pieces.</summary>
internal static class TokenizerBinWriter
{
    public const int FirstPieceId = 259;

    public static string Write(string directory, params (string Piece, float Score)[] pieces)
    {
        var path = Path.Combine(directory, $"tok-{Guid.NewGuid():N}.bin");
        var all = new List<(string Piece, float Score)> { ("<unk>", 0), ("\n<s>\n", 0), ("\n</s>\n", 0) };
        all.AddRange(Enumerable.Range(0, 256).Select(b => ($"<0x{b:X2}>", 0f)));
        all.AddRange(pieces);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write((uint)all.Max(p => Encoding.UTF8.GetByteCount(p.Piece)));
        foreach (var (piece, score) in all)
        {
            var bytes = Encoding.UTF8.GetBytes(piece);
            writer.Write(score);
            writer.Write((uint)bytes.Length);
            writer.Write(bytes);
        }
        return path;
    }
}
