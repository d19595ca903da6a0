using System.Net;
using System.Text;
using System.Text.Json;

namespace Mixillo.Tests.Api;

/// <summary>What an upload's initialize takes: bounded fields of the right JSON types, or 400 with a code.</summary>
public sealed class UploadFieldTests : IClassFixture<ApiFactory>
{
    private readonly ApiFactory _api;

    public UploadFieldTests(ApiFactory api) => _api = api;

    private async Task<(HttpStatusCode Status, JsonElement Body)> InitializeAsync(string fields)
    {
        var client = await _api.ClientAsync("frank");
        var response = await client.PostAsync("/api/content/upload/initialize", new StringContent("{" + fields + "}", Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private const string Valid = "\"fileName\":\"a.mp4\",\"fileSize\":10";

    public static TheoryData<string, string> RefusedFields() => new()
    {
        { "\"mimeType\":\"video/" + new string('a', 122) + "\"", "upload_invalid" },
        { "\"mimeType\":\"video/mp4; codecs=avc1\"", "upload_invalid" },
        { "\"mimeType\":\"video\"", "upload_invalid" },
        { "\"mimeType\":\"video/\"", "upload_invalid" },
        { "\"mimeType\":\"video/mp4\\n\"", "upload_invalid" },
        { "\"mimeType\":\"video/mp4\",\"uploadType\":\"audio\"", "upload_invalid" },
        { "\"mimeType\":\"video/mp4\",\"uploadType\":\"Video\"", "upload_invalid" },
        { "\"mimeType\":\"video/mp4\",\"uploadType\":\"" + new string('v', 1000) + "\"", "upload_invalid" },
        { "\"mimeType\":5", "bad_request" },
        { "\"mimeType\":\"video/mp4\",\"uploadType\":[\"video\"]", "bad_request" },
        { "\"mimeType\":\"video/mp4\",\"caption\":{}", "bad_request" },
    };

    [Theory]
    [MemberData(nameof(RefusedFields))]
    public async Task Over_long_or_malformed_fields_are_refused_with_400(string fields, string code)
    {
        var (status, body) = await InitializeAsync(Valid + "," + fields);
        Assert.Equal((HttpStatusCode.BadRequest, code), (status, body.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("\"fileName\":\"a.mp4\",\"fileSize\":\"10\",\"mimeType\":\"video/mp4\"")]
    [InlineData("\"fileName\":\"a.mp4\",\"fileSize\":10.5,\"mimeType\":\"video/mp4\"")]
    [InlineData("\"fileName\":\"a.mp4\",\"fileSize\":1e308,\"mimeType\":\"video/mp4\"")]
    [InlineData("\"fileName\":7,\"fileSize\":10,\"mimeType\":\"video/mp4\"")]
    public async Task A_number_or_string_of_the_wrong_json_type_is_bad_request(string fields)
    {
        var (status, body) = await InitializeAsync(fields);
        Assert.Equal((HttpStatusCode.BadRequest, "bad_request"), (status, body.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("\"mimeType\":\"video/mp4\"")]
    [InlineData("\"mimeType\":\"video/mp4\",\"uploadType\":\"video\"")]
    [InlineData("\"mimeType\":\"video/x-matroska\",\"uploadType\":null")]
    public async Task An_upload_type_of_video_or_none_is_a_video_upload(string fields)
    {
        var (status, body) = await InitializeAsync(Valid + "," + fields);
        Assert.Equal(HttpStatusCode.Created, status);
        var uploadId = body.GetProperty("data").GetProperty("uploadId").GetString()!;
        await using var stored = await _api.Storage.OpenReadAsync($"uploads/{uploadId}/upload.json", CancellationToken.None);
        Assert.Equal("video", JsonDocument.Parse(stored).RootElement.GetProperty("uploadType").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_declared_json_is_415_with_its_code()
    {
        var client = await _api.ClientAsync("frank");
        var response = await client.PostAsync("/api/content/upload/initialize", new StringContent("{" + Valid + "}", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_mime_type_of_127_characters_is_accepted()
    {
        var (status, _) = await InitializeAsync(Valid + ",\"mimeType\":\"video/" + new string('a', 121) + "\"");
        Assert.Equal(HttpStatusCode.Created, status);
    }
}
