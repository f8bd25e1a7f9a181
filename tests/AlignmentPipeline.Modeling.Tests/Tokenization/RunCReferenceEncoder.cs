using System.Text;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>
/// An independent, deliberately literal transcription of llama2.c run.c <c>encode()</c> (bytes in, quadratic merge
/// loop re-scanning every pair) used as the reference the production heap-based tokenizer must agree with.
/// </summary>
internal sealed class RunCReferenceEncoder
{
    private readonly List<byte[]> _vocab = [];
    private readonly List<float> _scores = [];
    private readonly Dictionary<string, int> _lookup = [];

    public RunCReferenceEncoder(string tokenizerBinPath)
    {
        using var reader = new BinaryReader(File.OpenRead(tokenizerBinPath));
        reader.ReadUInt32();
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            _scores.Add(reader.ReadSingle());
            var piece = reader.ReadBytes((int)reader.ReadUInt32());
            _lookup.TryAdd(Convert.ToHexString(piece), _vocab.Count);
            _vocab.Add(piece);
        }
    }

    public List<int> Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new List<int>();
        if (bytes.Length > 0)
        {
            tokens.Add(Lookup([(byte)' ']));
        }
        var buffer = new List<byte>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if ((bytes[i] & 0xC0) != 0x80)
            {
                buffer.Clear();
            }
            buffer.Add(bytes[i]);
            if (i + 1 < bytes.Length && (bytes[i + 1] & 0xC0) == 0x80 && buffer.Count < 4)
            {
                continue;
            }
            var id = Lookup([.. buffer]);
            if (id != -1)
            {
                tokens.Add(id);
            }
            else
            {
                tokens.AddRange(buffer.Select(b => b + 3));
            }
            buffer.Clear();
        }
        while (true)
        {
            var bestScore = -1e10f;
            var bestId = -1;
            var bestIndex = -1;
            for (var i = 0; i < tokens.Count - 1; i++)
            {
                var id = Lookup([.. _vocab[tokens[i]], .. _vocab[tokens[i + 1]]]);
                if (id != -1 && _scores[id] > bestScore)
                {
                    bestScore = _scores[id];
                    bestId = id;
                    bestIndex = i;
                }
            }
            if (bestIndex == -1)
            {
                break;
            }
            tokens[bestIndex] = bestId;
            tokens.RemoveAt(bestIndex + 1);
        }
        return tokens;
    }

    private int Lookup(byte[] piece) => _lookup.GetValueOrDefault(Convert.ToHexString(piece), -1);
}
