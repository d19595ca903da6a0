using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Api;

/// <summary>Chunks and assembled files that a killed API process was writing do not outlive it.</summary>
public sealed class UploadScratchTests
{
    [Fact]
    public async Task Upload_scratch_of_a_killed_api_process_of_this_host_is_removed_at_start_and_live_scratch_kept()
    {
        using var scratch = new TempFolder();
        var host = Environment.MachineName;
        var killed = Folder(scratch, $"api_{host}_999999999", "up_1-3-0f0f", "up_1-0f0f.mp4");
        var live = Folder(scratch, $"api_{host}_1", "up_2-0-1e1e");
        var foreign = Folder(scratch, "api_otherhost_999999999", "up_3-0-2d2d");
        var own = Folder(scratch, $"api_{host}_{Environment.ProcessId}", "up_4-5-3c3c");
        File.SetLastWriteTimeUtc(Path.Combine(own, "up_4-5-3c3c"), Process.GetCurrentProcess().StartTime.ToUniversalTime() - TimeSpan.FromMinutes(1));

        using var api = new ApiFactory(new Dictionary<string, string?> { ["Upload:ScratchRoot"] = scratch.Path });
        var client = await api.ClientAsync("alice");

        Assert.False(Directory.Exists(killed), "a killed API process's scratch was left");
        Assert.Empty(Directory.GetFileSystemEntries(own));
        Assert.True(File.Exists(Path.Combine(live, "up_2-0-1e1e")) && File.Exists(Path.Combine(foreign, "up_3-0-2d2d")));

        // This process's chunks pass through its own folder and do not stay there.
        var upload = await client.PostAsync("/api/content/upload/initialize", JsonContent.Create(new { fileName = "a.mp4", fileSize = 10, mimeType = "video/mp4" }));
        var uploadId = System.Text.Json.JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("uploadId").GetString();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/content/upload/{uploadId}/chunks/0", new ByteArrayContent(new byte[10]))).StatusCode);
        Assert.Empty(Directory.GetFileSystemEntries(own));
    }

    private static string Folder(TempFolder root, string name, params string[] files)
    {
        var folder = Directory.CreateDirectory(root.File(name)).FullName;
        foreach (var file in files)
        {
            File.WriteAllBytes(Path.Combine(folder, file), new byte[3 * 1024]);
        }

        return folder;
    }
}
