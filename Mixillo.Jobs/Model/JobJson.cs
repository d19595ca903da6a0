using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mixillo.Jobs.Model;

/// <summary>How jobs are written as JSON, in the store and on the wire: camelCase, snake_case enum values.</summary>
public static class JobJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static TEnum Parse<TEnum>(string name)
        where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(name.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var value)
            ? value
            : throw new ArgumentException($"Unknown {typeof(TEnum).Name} '{name}'.");

    public static string Serialize(TranscodeJob job) => JsonSerializer.Serialize(job, Options);

    public static TranscodeJob Deserialize(string json) =>
        JsonSerializer.Deserialize<TranscodeJob>(json, Options) ?? throw new JsonException("A job document is null.");
}
