using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;

namespace Mixillo.Tests.Api;

/// <summary>
/// Requests carrying hostile values to every route: the operations of the API's OpenAPI document (plus any
/// route the document leaves out), each path parameter, each query parameter and each field of a body in turn
/// replaced by a hostile value, and whole bodies that are not what a route takes.
/// </summary>
internal static partial class HostileRequests
{
    /// <summary>As they go in a URL (already escaped where they must be).</summary>
    public static readonly string[] UrlValues =
    [
        "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "-1", "0", "99999999999999999999", "1.5", "", "%20",
        "..", "%2e%2e", "%2F", "..%2F..%2Fetc%2Fpasswd", "%00", "a%00b", "%FF%FE", "%E2%80%AE", "%0D%0Ax",
        "videos", "videos/c1", "videos/c1/", "videos/c1/hls", "videos/..%2Fuploads", new string('a', 4000),
    ];

    /// <summary>JSON values of every type, for any field.</summary>
    public static readonly string[] JsonValues =
    [
        "null", "true", "0", "-1", "1e308", "-1e308", "1.5", "99999999999999999999999", "\"NaN\"", "\"Infinity\"",
        "\"1e6\"", "\"\"", "\"  \"", "\"..\"", "\"../../etc/passwd\"", "\"a\\u0000b\"",
        "\"" + new string('x', 12_000) + "\"", "[]", "[null]", "{}", "{\"a\":{\"b\":[1]}}",
    ];

    /// <summary>Whole bodies: empty, not JSON, the wrong kind of JSON, nested past any sane depth.</summary>
    public static readonly string[] Bodies =
    [
        "", " ", "null", "[]", "\"x\"", "1", "{", "{\"a\":", "{}", "\uFEFF{}", "{\"a\":1,\"a\":2}",
        new string('[', 5000), string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000),
    ];

    public sealed record Operation(string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters, JsonNode? Body);

    /// <summary>A request to send: what it is (for a failure message) and how to make it afresh.</summary>
    /// <param name="Reroutes">A path value that may lead to another route or none (empty, dots, a slash).</param>
    public sealed record Request(string Description, Func<HttpRequestMessage> Create, bool Reroutes = false);

    /// <summary>
    /// The operations of <paramref name="openApi"/>, with <paramref name="examples"/> (by schema name) as the body to vary
    /// where one is given, else a body made from the schema; then every endpoint of <paramref name="routes"/> the document lacks.
    /// </summary>
    public static List<Operation> Operations(JsonElement openApi, EndpointDataSource routes, IReadOnlyDictionary<string, JsonNode> examples)
    {
        var operations = new List<Operation>();
        foreach (var path in openApi.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
                JsonNode? body = null;
                if (operation.Value.TryGetProperty("requestBody", out var requestBody)
                    && requestBody.GetProperty("content").TryGetProperty("application/json", out var json))
                {
                    var schema = json.GetProperty("schema");
                    body = schema.TryGetProperty("$ref", out var reference) && examples.TryGetValue(SchemaName(reference.GetString()!), out var example)
                        ? example.DeepClone()
                        : Example(openApi, schema, depth: 0);
                }

                operations.Add(new Operation(
                    operation.Name.ToUpperInvariant(),
                    path.Name,
                    [.. parameters.Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()!)],
                    [.. parameters.Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)],
                    body));
            }
        }

        foreach (var endpoint in routes.Endpoints.OfType<RouteEndpoint>())
        {
            var path = Constraint().Replace(endpoint.RoutePattern.RawText!, "{$1}");
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                if (!operations.Any(o => o.Method == method && o.Path == path))
                {
                    operations.Add(new Operation(method, path, [.. endpoint.RoutePattern.Parameters.Select(p => p.Name)], [], null));
                }
            }
        }

        return operations;
    }

    /// <summary>
    /// The operation with its parameters at <paramref name="baseline"/> (by name; others "x"), then each parameter, field
    /// and body hostile in turn.
    /// </summary>
    public static IEnumerable<Request> For(Operation operation, IReadOnlyDictionary<string, string> baseline)
    {
        string Url(string? hostileName = null, string? hostileValue = null, string? queryName = null)
        {
            var path = operation.Path;
            foreach (var name in operation.PathParameters)
            {
                path = path.Replace("{" + name + "}", name == hostileName ? hostileValue : baseline.GetValueOrDefault(name, "x"), StringComparison.Ordinal);
            }

            return queryName is null ? path : $"{path}?{queryName}={hostileValue}";
        }

        Request Make(string url, string? body, string why) => new(
            $"{operation.Method} {Shorten(url)} ({why})",
            () => new HttpRequestMessage(new HttpMethod(operation.Method), url)
            {
                Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
            });

        var takesBody = operation.Method is "POST" or "PUT" or "PATCH" or "DELETE";
        var baselineBody = operation.Body?.ToJsonString() ?? (takesBody ? "{}" : null);
        yield return Make(Url(), baselineBody, "baseline");
        foreach (var value in UrlValues)
        {
            foreach (var name in operation.PathParameters)
            {
                yield return Make(Url(name, value), baselineBody, $"path {name}") with { Reroutes = Reroutes(value) };
            }

            foreach (var name in operation.QueryParameters)
            {
                yield return Make(Url(queryName: name, hostileValue: value), baselineBody, $"query {name}");
            }
        }

        if (operation.Body is { } body)
        {
            foreach (var (field, replace) in Fields(body))
            {
                foreach (var value in JsonValues)
                {
                    var copy = body.DeepClone();
                    replace(copy, JsonNode.Parse(value));
                    yield return Make(Url(), copy.ToJsonString(), $"body {field} = {Shorten(value)}");
                }
            }
        }

        if (takesBody)
        {
            foreach (var whole in Bodies)
            {
                yield return Make(Url(), whole, $"body {Shorten(whole)}");
            }
        }
    }

    /// <summary>Every field of <paramref name="body"/>, nested ones and array items too, with how to replace it in a copy.</summary>
    private static IEnumerable<(string Field, Action<JsonNode, JsonNode?> Replace)> Fields(JsonNode body, string prefix = "", Func<JsonNode, JsonNode>? locate = null)
    {
        locate ??= node => node;
        switch (body)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var at = locate;
                    yield return (prefix + name, (copy, value) => at(copy).AsObject()[name] = value);
                    if (child is JsonObject or JsonArray)
                    {
                        foreach (var nested in Fields(child, prefix + name + ".", copy => at(copy)[name]!))
                        {
                            yield return nested;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var (at, index) = (locate, i);
                    yield return ($"{prefix}[{index}]", (copy, value) => at(copy).AsArray()[index] = value);
                }

                break;
        }
    }

    /// <summary>A plausible value for a schema: strings "a", numbers 1, objects with every property.</summary>
    private static JsonNode? Example(JsonElement openApi, JsonElement schema, int depth)
    {
        if (depth > 4)
        {
            return null;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Example(openApi, openApi.GetProperty("components").GetProperty("schemas").GetProperty(SchemaName(reference.GetString()!)), depth + 1);
        }

        if (schema.TryGetProperty("oneOf", out var options))
        {
            return options.EnumerateArray().Where(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"))
                .Select(o => Example(openApi, o, depth + 1)).FirstOrDefault();
        }

        var types = !schema.TryGetProperty("type", out var type) ? ["object"]
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
        return types.FirstOrDefault(t => t != "null") switch
        {
            "string" => "a",
            "integer" or "number" => 1,
            "boolean" => true,
            "array" => new JsonArray(schema.TryGetProperty("items", out var items) ? Example(openApi, items, depth + 1) : null),
            _ => new JsonObject(schema.TryGetProperty("properties", out var properties)
                ? properties.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Example(openApi, p.Value, depth + 1)))
                : []),
        };
    }

    private static string SchemaName(string reference) => reference[(reference.LastIndexOf('/') + 1)..];

    private static string Shorten(string text) => text.Length <= 60 ? text : $"{text[..40]}...({text.Length} chars)";

    /// <summary>A route parameter as the document writes it: <c>{index:int}</c> and <c>{**key}</c> are <c>{index}</c> and <c>{key}</c>.</summary>
    [GeneratedRegex(@"\{\**([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Constraint();

    private static bool Reroutes(string value)
    {
        var decoded = Uri.UnescapeDataString(value);
        return decoded is "" or "." or ".." || decoded.Contains('/', StringComparison.Ordinal);
    }
}
