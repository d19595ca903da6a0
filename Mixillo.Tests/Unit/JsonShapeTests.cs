using System.Text.Json;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Unit;

public sealed class JsonShapeTests
{
    private const string Example = """{"a": 1, "b": {"c": "x", "d": null}, "e": [{"f": true}], "g": []}""";

    private static IReadOnlyList<string> Differences(string actual) =>
        JsonShape.Differences(JsonDocument.Parse(Example).RootElement, JsonDocument.Parse(actual).RootElement, "$");

    [Fact]
    public void The_same_shape_with_other_values_and_extra_fields_matches() =>
        Assert.Empty(Differences("""{"a": 2.5, "b": {"c": "y", "d": [1], "z": 0}, "e": [{"f": false}, {"f": true}], "g": [1], "h": 0}"""));

    [Fact]
    public void A_null_stands_for_a_string_or_number_not_yet_known() =>
        Assert.Empty(Differences("""{"a": null, "b": {"c": null, "d": 1}, "e": [{"f": true}], "g": []}"""));

    [Fact]
    public void A_missing_field_a_type_change_and_an_empty_array_are_each_named()
    {
        Assert.Equal(["$.b.c: missing"], Differences("""{"a": 1, "b": {"d": 1}, "e": [{"f": true}], "g": []}"""));
        Assert.Equal(["$.a: string where the example has number"], Differences("""{"a": "1", "b": {"c": "x", "d": 1}, "e": [{"f": true}], "g": []}"""));
        Assert.Equal(["$.e[1].f: string where the example has boolean"], Differences("""{"a": 1, "b": {"c": "x", "d": 1}, "e": [{"f": true}, {"f": "no"}], "g": []}"""));
        Assert.Equal(["$.e: empty where the example has elements"], Differences("""{"a": 1, "b": {"c": "x", "d": 1}, "e": [], "g": []}"""));
        Assert.Equal(["$.b: null where the example has object"], Differences("""{"a": 1, "b": null, "e": [{"f": true}], "g": []}"""));
    }
}
