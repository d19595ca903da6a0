using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mixillo.Api.Auth;
using Mixillo.Jobs.Model;
using Mixillo.Tests.Stores;

namespace Mixillo.Tests.Api;

/// <summary>Admin operations cannot destroy what they should not: cleaning and enqueueing.</summary>
public sealed class AdminSafetyTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync() => _admin = await _api.ClientAsync("admin_1", AuthOptions.AdminRole);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("days=0")]
    [InlineData("days=0.5")]
    [InlineData("days=-1&force=true")]
    [InlineData("days=NaN")]
    [InlineData("days=NaN&force=true")]
    [InlineData("days=Infinity")]
    [InlineData("days=-Infinity&force=true")]
    [InlineData("days=1e309")]
    [InlineData("days=3651")]
    public async Task Cleaning_refuses_under_a_day_without_force_and_any_age_that_is_not_a_sane_number_of_days(string query)
    {
        var response = await _admin.DeleteAsync("/api/transcode/jobs/old?" + query);
        Assert.Equal(("bad_request", HttpStatusCode.BadRequest), (await CodeOf(response), response.StatusCode));
    }

    [Fact]
    public async Task Cleaning_takes_a_failed_content_whole_and_leaves_completed_content_playing()
    {
        var ready = await FinishedJobAsync(complete: true);
        var failed = await FinishedJobAsync(complete: false);
        var owner = await _api.ClientAsync("user_1");

        Assert.Equal(0, (await DataOf(await _admin.DeleteAsync("/api/transcode/jobs/old"))).GetProperty("deletedCount").GetInt32());
        var cleaned = await DataOf(await _admin.DeleteAsync("/api/transcode/jobs/old?days=0&force=true"));

        Assert.Equal((1, 0.0), (cleaned.GetProperty("deletedCount").GetInt32(), cleaned.GetProperty("daysOld").GetDouble()));
        Assert.Equal("content_not_found", await CodeOf(await owner.GetAsync($"/api/content/{failed.ContentId}")));
        Assert.Empty(await KeysAsync($"sources/{failed.ContentId}/", $"videos/{failed.ContentId}/", $"staging/{failed.JobId}/"));

        Assert.Equal("ready", (await DataOf(await owner.GetAsync($"/api/content/{ready.ContentId}"))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _api.CreateClient().GetAsync($"/media/videos/{ready.ContentId}/360p.mp4")).StatusCode);
        Assert.Equal(3, (await KeysAsync($"sources/{ready.ContentId}/", $"videos/{ready.ContentId}/", $"staging/{ready.JobId}/")).Count);
    }

    [Fact]
    public async Task Enqueueing_an_existing_content_id_is_a_conflict_and_the_content_stays_its_owners()
    {
        await PutAsync("uploads/alice/a.mp4");
        await PutAsync("uploads/mallory/m.mp4");
        var created = await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "content_taken", userId = "alice", sourceKey = "uploads/alice/a.mp4" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var takeover = await _admin.PostAsJsonAsync("/api/transcode/jobs", new { contentId = "content_taken", userId = "mallory", sourceKey = "uploads/mallory/m.mp4" });

        Assert.Equal(("content_exists", HttpStatusCode.Conflict), (await CodeOf(takeover), takeover.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await (await _api.ClientAsync("alice")).GetAsync("/api/content/content_taken")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await _api.ClientAsync("mallory")).GetAsync("/api/content/content_taken")).StatusCode);
        Assert.Equal("alice", Assert.Single((await _api.Store.ListAsync(new() { ContentId = "content_taken" }, CancellationToken.None)).Jobs).UserId);
    }

    /// <summary>A job of user_1 that completed or failed just now, with a source, a published rendition and staging.</summary>
    private async Task<TranscodeJob> FinishedJobAsync(bool complete)
    {
        var job = await JobFactory.FinishedAsync(_api.Store, JobFactory.New(), complete);
        await PutAsync($"sources/{job.ContentId}/source.mp4");
        await PutAsync($"videos/{job.ContentId}/360p.mp4");
        await PutAsync($"staging/{job.JobId}/attempt-1/360p.mp4");
        return job;
    }

    private async Task PutAsync(string key)
    {
        var local = Path.GetTempFileName();
        await File.WriteAllBytesAsync(local, new byte[64]);
        await _api.Storage.PutFileAsync(key, local, CancellationToken.None);
        File.Delete(local);
    }

    private async Task<List<string>> KeysAsync(params string[] prefixes)
    {
        var keys = new List<string>();
        foreach (var prefix in prefixes)
        {
            await foreach (var stored in _api.Storage.ListAsync(prefix, CancellationToken.None))
            {
                keys.Add(stored.Key);
            }
        }

        return keys;
    }

    private static async Task<JsonElement> DataOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("data");
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();
}
