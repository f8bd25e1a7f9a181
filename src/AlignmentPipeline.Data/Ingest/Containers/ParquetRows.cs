using System.Collections;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Serialization;

namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>
/// Rows of a Parquet file, one row group in memory at a time. Nested columns (lists, structs, maps such as TRL's
/// message lists) become JSON arrays and objects; locations are 1-based row numbers.
/// </summary>
internal static class ParquetRows
{
    public static async IAsyncEnumerable<SourceRow> ReadAsync(string path, string display, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int groups;
        await using (var stream = File.OpenRead(path))
        await using (var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken))
        {
            groups = reader.RowGroupCount;
        }

        long row = 0;
        for (int g = 0; g < groups; g++)
        {
            IList<Dictionary<string, object>> data;
            await using (var stream = File.OpenRead(path))
            {
                data = (await ParquetSerializer.DeserializeUntypedAsync(stream, rowGroupIndex: g, cancellationToken: cancellationToken)).Data;
            }

            foreach (var values in data)
            {
                row++;
                var node = (JsonObject)ToJson(values)!;
                yield return new SourceRow($"{display}:{row}", node, node.ToJsonString());
            }
        }
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        float f => JsonValue.Create((double)f),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        DateTime t => JsonValue.Create(t.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        DateTimeOffset t => JsonValue.Create(t.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        IDictionary<string, object> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
        IDictionary map => new JsonObject(map.Keys.Cast<object>().Select(k => KeyValuePair.Create(k.ToString()!, ToJson(map[k])))),
        IEnumerable items => new JsonArray(items.Cast<object?>().Select(ToJson).ToArray()),
        _ => JsonValue.Create(value.ToString()),
    };
}
