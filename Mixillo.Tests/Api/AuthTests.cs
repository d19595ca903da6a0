using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Mixillo.Api.Auth;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

public sealed class AuthTests : IClassFixture<ApiFactory>
{
    private readonly ApiFactory _api;

    public AuthTests(ApiFactory api) => _api = api;

    public static TheoryData<string, string> AdminRoutes => new()
    {
        { "GET", "/api/transcode/queue/status" },
        { "GET", "/api/transcode/stats?timeRange=24" },
        { "GET", "/api/transcode/jobs" },
        { "POST", "/api/transcode/jobs" },
        { "GET", "/api/transcode/jobs/stuck" },
        { "POST", "/api/transcode/jobs/stuck/reset" },
        { "DELETE", "/api/transcode/jobs/old?days=30" },
        { "GET", "/api/transcode/jobs/job_1_abc" },
        { "POST", "/api/transcode/jobs/job_1_abc/retry" },
        { "POST", "/api/transcode/jobs/job_1_abc/cancel" },
        { "POST", "/api/transcode/jobs/job_1_abc/tasks/dash/retry" },
    };

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        return body;
    }

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method is "POST" or "PUT" ? new StringContent("{}", Encoding.UTF8, "application/json") : null };

    [Theory]
    [InlineData("POST", "/api/content/upload/initialize")]
    [InlineData("PUT", "/api/content/upload/up_1_abc/chunks/0")]
    [InlineData("GET", "/api/content/upload/up_1_abc")]
    [InlineData("POST", "/api/content/upload/up_1_abc/complete")]
    [InlineData("GET", "/api/content/content_1_abc")]
    public async Task Content_routes_refuse_anonymous_callers_and_admit_any_user(string method, string path)
    {
        var anonymous = await _api.ClientAsync();
        await Problem(await anonymous.SendAsync(Request(method, path)), HttpStatusCode.Unauthorized, "unauthorized");

        var user = await _api.ClientAsync("user_1");
        var response = await user.SendAsync(Request(method, path));
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Admin_routes_refuse_anonymous_callers_with_401_and_users_with_403(string method, string path)
    {
        var anonymous = await _api.ClientAsync();
        await Problem(await anonymous.SendAsync(Request(method, path)), HttpStatusCode.Unauthorized, "unauthorized");

        var user = await _api.ClientAsync("user_1");
        await Problem(await user.SendAsync(Request(method, path)), HttpStatusCode.Forbidden, "forbidden");

        var admin = await _api.ClientAsync("admin_1", AuthOptions.AdminRole);
        var response = await admin.SendAsync(Request(method, path));
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    /// <summary>
    /// A JWT signed with <paramref name="key"/> under any HMAC <paramref name="algorithm"/>, made by hand: IdentityModel
    /// refuses to sign HS512 with a key shorter than 512 bits, but an attacker's library need not. <paramref name="role"/>
    /// is the role member of the payload as JSON.
    /// </summary>
    private static string SignedByHand(string algorithm, string key, DateTime expires, string role = "\"role\":\"admin\"")
    {
        static string Part(byte[] bytes) => Base64UrlEncoder.Encode(bytes);
        var header = Part(Encoding.UTF8.GetBytes($$"""{"alg":"{{algorithm}}","typ":"JWT"}"""));
        var payload = Part(Encoding.UTF8.GetBytes(
            $$"""{"sub":"admin_1",{{role}},"iss":"mixillo","aud":"mixillo","nbf":{{new DateTimeOffset(expires).AddHours(-2).ToUnixTimeSeconds()}},"exp":{{new DateTimeOffset(expires).ToUnixTimeSeconds()}}}"""));
        var signature = algorithm switch
        {
            "HS256" => System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")),
            "HS512" => System.Security.Cryptography.HMACSHA512.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return $"{header}.{payload}.{Part(signature)}";
    }

    public static TheoryData<string, string> BadTokens()
    {
        var wrongKey = new AuthOptions { SigningKey = "another-signing-key-of-at-least-thirty-two-bytes" };
        var now = DateTime.UtcNow;
        string Signed(string algorithm, DateTime expires, string issuer = "mixillo", string audience = "mixillo", string key = ApiFactory.SigningKey) =>
            new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(
                issuer, audience, [new Claim("sub", "admin_1"), new Claim("role", "admin")], now.AddMinutes(-10), expires,
                new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), algorithm)));
        var unsigned = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken("mixillo", "mixillo", [new Claim("sub", "admin_1"), new Claim("role", "admin")], now, now.AddHours(1)));
        return new TheoryData<string, string>
        {
            { "expired", Signed(SecurityAlgorithms.HmacSha256, now.AddMinutes(-5)) },
            { "wrong issuer", Signed(SecurityAlgorithms.HmacSha256, now.AddHours(1), issuer: "someone-else") },
            { "wrong audience", Signed(SecurityAlgorithms.HmacSha256, now.AddHours(1), audience: "someone-else") },
            { "wrong key", ApiFactory.Token("admin_1", "admin", options: wrongKey) },
            { "HS512 with the right key", SignedByHand("HS512", ApiFactory.SigningKey, now.AddHours(1)) },
            { "unsigned (alg none)", unsigned },
            { "garbage", "not.a.token" },
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Tokens_that_fail_any_check_are_refused(string why, string token)
    {
        var client = await _api.ClientAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.GetAsync("/api/transcode/queue/status");
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {response.StatusCode}");
    }

    [Fact]
    public async Task A_token_made_by_hand_is_accepted_with_HS256_so_the_HS512_refusal_is_the_algorithm()
    {
        var client = await _api.ClientAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SignedByHand("HS256", ApiFactory.SigningKey, DateTime.UtcNow.AddHours(1)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/transcode/queue/status")).StatusCode);
    }

    [Theory]
    [InlineData("\"Role\":\"admin\"")]
    [InlineData("\"ROLE\":\"admin\"")]
    [InlineData("\"role\":[\"admin\"]")]
    [InlineData("\"role\":[\"user\",\"admin\"]")]
    [InlineData("\"role\":\"Admin\"")]
    [InlineData("\"role\":{\"admin\":true}")]
    [InlineData("\"role\":\"user\",\"Role\":\"admin\"")]
    public async Task Only_the_documented_role_claim_makes_an_admin(string role)
    {
        var client = await _api.ClientAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SignedByHand("HS256", ApiFactory.SigningKey, DateTime.UtcNow.AddHours(1), role));

        await Problem(await client.GetAsync("/api/transcode/queue/status"), HttpStatusCode.Forbidden, "forbidden");
        // Still a user: the token is good, it just makes no admin.
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/content/content_1_abc")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_refused_token_is_told_only_that_it_is_invalid_and_why_goes_to_the_log(string why, string token)
    {
        var logs = new LogCapture();
        using var logged = _api.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        var client = logged.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.GetAsync("/api/transcode/queue/status");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
        Assert.DoesNotContain("error_description", (await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        // The operator sees what the caller no longer does: which check failed, and the expiry time or the issuer.
        var refusal = Assert.Single(logs.Lines, l => l.Category == "Mixillo.Api.Auth.TokenEvents").Message;
        Assert.Contains(why switch
        {
            "expired" => "expired at",
            "wrong issuer" => "someone-else",
            "wrong audience" => "InvalidAudience",
            _ => "Exception",
        }, refusal, StringComparison.Ordinal);
    }

    /// <summary>The OpenAPI document's access is <see cref="OpenApiTests"/>'s subject.</summary>
    [Fact]
    public async Task Health_is_open_and_says_nothing_more()
    {
        var client = await _api.ClientAsync();
        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task Unknown_routes_are_problem_details_too()
    {
        var client = await _api.ClientAsync("admin_1", AuthOptions.AdminRole);
        await Problem(await client.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public void The_token_command_prints_a_token_the_api_accepts_and_refuses_without_a_key()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = ApiFactory.SigningKey }).Build();
        using var stdout = new StringWriter();
        Assert.Equal(0, TokenCommand.Run(["--user", "admin_1", "--role", "admin"], configuration, development: false, stdout, TextWriter.Null));
        var token = new JwtSecurityTokenHandler().ReadJwtToken(stdout.ToString().Trim());
        Assert.Equal(("admin_1", "admin", "HS256"), (token.Subject, token.Claims.Single(c => c.Type == "role").Value, token.Header.Alg));

        var empty = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        using var stderr = new StringWriter();
        Assert.Equal(2, TokenCommand.Run(["--user", "u"], empty, development: false, TextWriter.Null, stderr));
        Assert.Contains("SigningKey is required", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, TokenCommand.Run(["--user", "u"], empty, development: true, TextWriter.Null, TextWriter.Null));
        Assert.Equal(2, TokenCommand.Run([], configuration, development: false, TextWriter.Null, TextWriter.Null));
    }

    public static TheoryData<string, Claim[]> UnusableUsers() => new()
    {
        { "no sub", [] },
        { "a blank sub", [new("sub", "  ")] },
        { "a sub over 128 characters", [new("sub", new string('u', 129))] },
        { "a sub with a control character", [new("sub", "a\u0000b")] },
        { "two subs", [new("sub", "a"), new("sub", "b")] },
        { "a name over 256 characters", [new("sub", "u"), new("name", new string('n', 257))] },
    };

    [Theory]
    [MemberData(nameof(UnusableUsers))]
    public async Task Signed_tokens_that_name_no_usable_user_are_refused_with_401_before_anything_is_stored(string why, Claim[] claims)
    {
        var client = await _api.ClientAsync();
        var now = DateTime.UtcNow;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(
            "mixillo", "mixillo", [.. claims, new Claim("role", "admin")], now.AddMinutes(-1), now.AddHours(1),
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ApiFactory.SigningKey)), SecurityAlgorithms.HmacSha256))));

        var initialize = await client.PostAsync("/api/content/upload/initialize", new StringContent(
            """{"fileName":"a.mp4","fileSize":10,"mimeType":"video/mp4","uploadType":"video"}""", Encoding.UTF8, "application/json"));
        Assert.True(initialize.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {initialize.StatusCode}");
        await Problem(initialize, HttpStatusCode.Unauthorized, "unauthorized");
        await Problem(await client.PostAsync("/api/content/upload/up_1_abc/complete", null), HttpStatusCode.Unauthorized, "unauthorized");
        await Problem(await client.GetAsync("/api/content/content_1_abc"), HttpStatusCode.Unauthorized, "unauthorized");
        await Problem(await client.GetAsync("/api/transcode/queue/status"), HttpStatusCode.Unauthorized, "unauthorized");
        await using var uploads = _api.Storage.ListAsync("uploads/", CancellationToken.None).GetAsyncEnumerator();
        Assert.False(await uploads.MoveNextAsync());
    }

    public static TheoryData<string[]> RefusedUsers() => new()
    {
        { new[] { "--user", "" } },
        { new[] { "--user", "   " } },
        { new[] { "--user", new string('u', 129) } },
        { new[] { "--user", "a\u0000b" } },
        { new[] { "--user", "u", "--name", new string('n', 257) } },
    };

    [Theory]
    [MemberData(nameof(RefusedUsers))]
    public void The_token_command_refuses_users_the_api_would_refuse(string[] args)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = ApiFactory.SigningKey }).Build();
        using var stdout = new StringWriter();
        Assert.Equal(2, TokenCommand.Run(args, configuration, development: false, stdout, TextWriter.Null));
        Assert.Empty(stdout.ToString());
    }
}
