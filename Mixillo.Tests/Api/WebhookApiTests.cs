using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>The admin routes of webhook endpoints, and the address rule without <c>Webhooks:AllowPrivateNetworks</c>.</summary>
public sealed class WebhookApiTests : IDisposable
{
    private readonly ApiFactory _api = new();

    [Fact]
    public async Task An_admin_registers_reads_changes_and_removes_an_endpoint_and_sees_the_secret_only_once()
    {
        var admin = await _api.ClientAsync("root", "admin");
        var created = await admin.PostAsJsonAsync("/api/webhooks", new { url = "https://192.0.2.1/hooks/in", events = new[] { "job.completed", "job.failed" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var data = await DataAsync(created);
        var id = data.GetProperty("id").GetString()!;
        Assert.Equal($"/api/webhooks/{id}", created.Headers.Location?.OriginalString);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", data.GetProperty("secret").GetString());
        Assert.True(data.GetProperty("enabled").GetBoolean());
        Assert.Equal(["job.completed", "job.failed"], data.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var listed = Assert.Single((await DataAsync(await admin.GetAsync("/api/webhooks"))).EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.False(listed.TryGetProperty("secret", out _));

        var changed = await admin.PutAsJsonAsync($"/api/webhooks/{id}", new { url = "https://192.0.2.2/in", events = Array.Empty<string>(), enabled = false });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var one = await DataAsync(await admin.GetAsync($"/api/webhooks/{id}"));
        Assert.Equal(("https://192.0.2.2/in", false, 0), (one.GetProperty("url").GetString(), one.GetProperty("enabled").GetBoolean(), one.GetProperty("events").GetArrayLength()));
        Assert.False(one.TryGetProperty("secret", out _));
        Assert.Equal(0, (await DataAsync(await admin.GetAsync($"/api/webhooks/{id}/deliveries"))).GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/webhooks/{id}")).StatusCode);
        await AssertProblemAsync(await admin.GetAsync($"/api/webhooks/{id}"), HttpStatusCode.NotFound, "webhook_not_found");
        await AssertProblemAsync(await admin.PostAsync($"/api/webhooks/{id}/deliveries/msg_x/redeliver", null), HttpStatusCode.NotFound, "webhook_delivery_not_found");
    }

    [Fact]
    public async Task Bad_registrations_are_refused_with_their_codes_and_only_admins_may_register()
    {
        var admin = await _api.ClientAsync("root", "admin");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/webhooks", new { url = "ftp://8.8.8.8/in" }), HttpStatusCode.BadRequest, "webhook_url_invalid");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/webhooks", new { url = "https://192.0.2.1/in", events = new[] { "job.exploded" } }), HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/webhooks", new { url = 42 }), HttpStatusCode.BadRequest, "bad_request");
        Assert.Equal(HttpStatusCode.Forbidden, (await (await _api.ClientAsync("alice")).PostAsJsonAsync("/api/webhooks", new { url = "https://192.0.2.1/in" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await _api.ClientAsync("alice")).GetAsync("/api/webhooks")).StatusCode);
        Assert.Empty((await DataAsync(await admin.GetAsync("/api/webhooks"))).EnumerateArray());
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.7/hook")]
    [InlineData("http://[::1]/hook")]
    public async Task Without_allow_private_networks_an_internal_url_is_refused_at_registration(string url)
    {
        var admin = await _api.ClientAsync("root", "admin");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/webhooks", new { url }), HttpStatusCode.BadRequest, "webhook_url_refused");
        var id = (await DataAsync(await admin.PostAsJsonAsync("/api/webhooks", new { url = "https://192.0.2.1/in" }))).GetProperty("id").GetString();
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/webhooks/{id}", new { url }), HttpStatusCode.BadRequest, "webhook_url_refused");
    }

    internal static async Task<JsonElement> DataAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("success").GetBoolean());
        return json.RootElement.GetProperty("data").Clone();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
    }

    public void Dispose() => _api.Dispose();
}
