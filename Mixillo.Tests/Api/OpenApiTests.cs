using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Mixillo.Errors;

namespace Mixillo.Tests.Api;

/// <summary>The OpenAPI document: who may read it, which servers it names, how it says a token is needed.</summary>
public sealed class OpenApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Document = "/openapi/v1.json";

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task The_document_never_names_a_server_from_the_callers_host_header()
    {
        var client = await api.ClientAsync("user_1");
        var request = new HttpRequestMessage(HttpMethod.Get, Document);
        request.Headers.Host = "evil.example";
        var document = await ReadAsync(await client.SendAsync(request));

        Assert.DoesNotContain("evil.example", document.GetRawText(), StringComparison.Ordinal);
        // No servers: a client resolves the paths against wherever it fetched the document.
        Assert.False(document.TryGetProperty("servers", out _));
    }

    [Fact]
    public async Task Configured_server_urls_are_the_documents_servers()
    {
        using var configured = new ApiFactory(new Dictionary<string, string?> { ["OpenApi:ServerUrls"] = "https://api.example.com, https://eu.api.example.com/mixillo" });
        var client = await configured.ClientAsync("user_1");
        var request = new HttpRequestMessage(HttpMethod.Get, Document);
        request.Headers.Host = "evil.example";
        var document = await ReadAsync(await client.SendAsync(request));

        Assert.Equal(
            ["https://api.example.com", "https://eu.api.example.com/mixillo"],
            document.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString()));
    }

    [Fact]
    public async Task The_document_declares_the_bearer_scheme_on_the_operations_that_need_a_token()
    {
        var document = await ReadAsync(await (await api.ClientAsync("user_1")).GetAsync(Document));

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer", "JWT"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString(), scheme.GetProperty("bearerFormat").GetString()));

        static IEnumerable<string> Schemes(JsonElement operation) =>
            operation.TryGetProperty("security", out var security) ? security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)) : [];
        var paths = document.GetProperty("paths");
        Assert.Equal(["Bearer"], Schemes(paths.GetProperty("/api/transcode/jobs/{jobId}/retry").GetProperty("post")));
        Assert.Equal(["Bearer"], Schemes(paths.GetProperty("/api/transcode/jobs").GetProperty("get")));
        Assert.Equal(["Bearer"], Schemes(paths.GetProperty("/api/content/upload/initialize").GetProperty("post")));
        Assert.Empty(Schemes(paths.GetProperty("/media/{key}").GetProperty("get")));
    }

    [Fact]
    public async Task Outside_development_the_document_needs_a_token_unless_it_is_configured_anonymous()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await (await api.ClientAsync()).GetAsync(Document)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await api.ClientAsync("user_1")).GetAsync(Document)).StatusCode);

        using var open = new ApiFactory(new Dictionary<string, string?> { ["OpenApi:Anonymous"] = "true" });
        Assert.Equal(HttpStatusCode.OK, (await (await open.ClientAsync()).GetAsync(Document)).StatusCode);
    }

    [Fact]
    public async Task In_development_the_document_is_anonymous_unless_configured_otherwise()
    {
        using var development = api.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        Assert.Equal(HttpStatusCode.OK, (await development.CreateClient().GetAsync(Document)).StatusCode);

        using var closed = api.WithWebHostBuilder(b => b.UseEnvironment("Development").UseSetting("OpenApi:Anonymous", "false"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await closed.CreateClient().GetAsync(Document)).StatusCode);
    }

    [Fact]
    public async Task The_document_describes_the_event_streams_and_the_event_they_carry()
    {
        var document = await ReadAsync(await (await api.ClientAsync("user_1")).GetAsync(Document));

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/content/{contentId}/events", "/api/transcode/events" })
        {
            var content = paths.GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content");
            var schema = content.GetProperty("text/event-stream").GetProperty("schema").GetProperty("$ref").GetString();
            Assert.Equal("#/components/schemas/JobEvent", schema);
        }

        var jobEvent = document.GetProperty("components").GetProperty("schemas").GetProperty("JobEvent").GetProperty("properties");
        Assert.Equal(
            ["contentId", "data", "id", "jobId", "time", "type", "userId"],
            jobEvent.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Each_route_declares_its_problem_responses_with_the_catalogues_codes()
    {
        var document = await ReadAsync(await (await api.ClientAsync("user_1")).GetAsync(Document));
        var paths = document.GetProperty("paths");

        static Dictionary<string, string> Problems(JsonElement operation) => operation.GetProperty("responses").EnumerateObject()
            .Where(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture) >= 400)
            .ToDictionary(r => r.Name, r =>
            {
                Assert.Equal("#/components/schemas/Problem", r.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
                return r.Value.GetProperty("description").GetString()!;
            });
        static IEnumerable<string> Codes(string description) => Regex.Matches(description, "`([a-z0-9_]+)`: ").Select(m => m.Groups[1].Value);

        var complete = Problems(paths.GetProperty("/api/content/upload/{uploadId}/complete").GetProperty("post"));
        Assert.Equal(["400", "401", "404", "409", "422", "429", "500", "507"], complete.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ErrorCatalog.All.Where(e => e.IsInputError).Select(e => e.Code), Codes(complete["422"]));
        Assert.Equal(["upload_not_found", "not_found"], Codes(complete["404"]).Order(StringComparer.Ordinal).Reverse());
        Assert.Contains("`upload_incomplete`: completing an upload whose chunks have not all arrived", complete["409"], StringComparison.Ordinal);

        var initialize = Problems(paths.GetProperty("/api/content/upload/initialize").GetProperty("post"));
        Assert.Equal(["too_many_uploads", "upload_quota_exceeded", "too_many_jobs"], Codes(initialize["429"]));
        Assert.Equal(["payload_too_large", "upload_too_large"], Codes(initialize["413"]).Order(StringComparer.Ordinal));
        Assert.False(initialize.ContainsKey("403"));

        var retry = Problems(paths.GetProperty("/api/transcode/jobs/{jobId}/retry").GetProperty("post"));
        Assert.Equal(["forbidden"], Codes(retry["403"]));
        Assert.Equal(["illegal_transition", "retries_exhausted"], Codes(retry["409"]));

        var media = Problems(paths.GetProperty("/media/{key}").GetProperty("get"));
        Assert.Equal(["404", "500"], media.Keys.Order(StringComparer.Ordinal));

        var code = document.GetProperty("components").GetProperty("schemas").GetProperty("Problem").GetProperty("properties").GetProperty("code");
        Assert.Equal(ErrorCatalog.All.Where(e => e.Status is not null).Select(e => e.Code), code.GetProperty("enum").EnumerateArray().Select(c => c.GetString()));
    }
}
