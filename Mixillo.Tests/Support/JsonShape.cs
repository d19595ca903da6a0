using System.Text.Json;

namespace Mixillo.Tests.Support;

/// <summary>
/// Compares a body with a documented example by shape: every field of the example is there, nested the same
/// way, with the same JSON type (a null in the example allows any type; a null in the body stands for a string or
/// number with nothing to say yet, such as a task's startedAt before it starts). Extra fields are fine. Each element of
/// an array must match one of the example's elements, and an array the example fills must not be empty.
/// </summary>
public static class JsonShape
{
    public static void AssertMatches(string example, JsonElement actual) =>
        Assert.Empty(Differences(JsonDocument.Parse(example).RootElement, actual, "$"));

    public static IReadOnlyList<string> Differences(JsonElement example, JsonElement actual, string path)
    {
        if (example.ValueKind == JsonValueKind.Null
            || (actual.ValueKind == JsonValueKind.Null && example.ValueKind is JsonValueKind.String or JsonValueKind.Number))
        {
            return [];
        }

        if (Kind(example) != Kind(actual))
        {
            return [$"{path}: {Kind(actual)} where the example has {Kind(example)}"];
        }

        return example.ValueKind switch
        {
            JsonValueKind.Object => [.. example.EnumerateObject().SelectMany(field =>
                actual.TryGetProperty(field.Name, out var value)
                    ? Differences(field.Value, value, $"{path}.{field.Name}")
                    : [$"{path}.{field.Name}: missing"])],
            JsonValueKind.Array when example.GetArrayLength() > 0 && actual.GetArrayLength() == 0 => [$"{path}: empty where the example has elements"],
            JsonValueKind.Array => [.. actual.EnumerateArray().Select((element, i) =>
                example.EnumerateArray().Select(e => Differences(e, element, $"{path}[{i}]")).MinBy(d => d.Count) ?? []).SelectMany(d => d)],
            _ => [],
        };
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var kind => kind.ToString().ToLowerInvariant(),
    };
}
