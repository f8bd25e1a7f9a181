using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// Byte-level tokenizer for tiny models trained from scratch: ids 0..255 are the UTF-8 bytes of the text, 256 is
/// BOS, 257 EOS and 258 PAD (when included). Every UTF-8 string round-trips exactly. Stored as a small JSON file:
/// <c>{"type": "byte", "version": 1, "bos_id": 256, "eos_id": 257, "pad_id": 258}</c>.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    /// <summary>File name <see cref="Save"/> uses inside a model directory; <see cref="TokenizerLoader"/> finds it.</summary>
    public const string FileName = "byte_tokenizer.json";

    private const int Bos = 256;
    private const int Eos = 257;
    private const int Pad = 258;

    /// <param name="includePad">Add a PAD id (258); default true. Without it the vocabulary has 258 ids.</param>
    public ByteTokenizer(bool includePad = true)
    {
        PadId = includePad ? Pad : null;
        ContentHash = TokenizerHash.Compute($"byte-tokenizer/v1;pad={includePad}");
    }

    /// <summary>259 with PAD, 258 without.</summary>
    public int VocabSize => PadId is null ? Eos + 1 : Pad + 1;

    /// <summary>Always 256.</summary>
    public int? BosId => Bos;

    /// <summary>Always 257.</summary>
    public int? EosId => Eos;

    /// <summary>258, or null when built without PAD.</summary>
    public int? PadId { get; }

    public string ContentHash { get; }

    public IReadOnlyList<int> Encode(string text) => [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];

    public string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count);
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the byte vocabulary of {VocabSize}.");
            }
            if (id < 256)
            {
                bytes.Add((byte)id);
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>Printable ASCII as itself, other bytes as <c>&lt;0xNN&gt;</c>, specials as &lt;s&gt;, &lt;/s&gt;, &lt;pad&gt;.</summary>
    public string Piece(int id) => id switch
    {
        >= 0x20 and < 0x7F => ((char)id).ToString(),
        >= 0 and < 256 => $"<0x{id:X2}>",
        Bos => "<s>",
        Eos => "</s>",
        Pad when PadId is not null => "<pad>",
        _ => throw new ArgumentOutOfRangeException(nameof(id), $"token id {id} is outside the byte vocabulary of {VocabSize}."),
    };

    /// <summary>Writes the JSON description to <paramref name="path"/> (a file, typically <see cref="FileName"/>).</summary>
    public void Save(string path)
    {
        var json = new JsonObject
        {
            ["type"] = "byte",
            ["version"] = 1,
            ["bos_id"] = Bos,
            ["eos_id"] = Eos,
            ["pad_id"] = PadId,
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a version-1 byte tokenizer with the fixed id layout.</exception>
    public static ByteTokenizer Load(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidDataException($"{path}: expected a JSON object describing a byte tokenizer.");
        if (!IsByteTokenizer(json))
        {
            throw new InvalidDataException($"{path}: \"type\" must be \"byte\"; this is not a byte tokenizer file.");
        }
        var version = (int?)json["version"];
        var bos = (int?)json["bos_id"];
        var eos = (int?)json["eos_id"];
        var pad = (int?)json["pad_id"];
        if (version != 1 || bos != Bos || eos != Eos || (pad is not null && pad != Pad))
        {
            throw new InvalidDataException(
                $"{path}: byte tokenizer version {version?.ToString() ?? "(missing)"} with bos_id={bos}, eos_id={eos}, pad_id={pad}; " +
                $"version 1 requires bos_id={Bos}, eos_id={Eos} and pad_id={Pad} or null.");
        }
        return new ByteTokenizer(includePad: pad is not null);
    }

    internal static bool IsByteTokenizer(JsonObject json) => json["type"] is JsonValue type && type.TryGetValue<string>(out var value) && value == "byte";
}
