using Mixillo.Api.Uploads;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media;
using Mixillo.Tests.Support;
using Mixillo.Worker.Health;

namespace Mixillo.Tests.Api;

public sealed class UploadExpiryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Abandoned_uploads_are_removed_after_they_expire_and_fresh_ones_kept()
    {
        var clock = new ManualClock();
        var storage = new FileSystemStorage(_folder.File("media"));
        await using var store = new SqliteJobStore($"Data Source={_folder.File("jobs.db")}", new QueueOptions(), clock);
        await store.InitializeAsync(CancellationToken.None);
        var options = new UploadOptions { ExpireAfter = TimeSpan.FromHours(1), ChunkSize = 4, ScratchRoot = _folder.File("scratch") };
        await store.InitializeAsync(CancellationToken.None);
        var uploads = new UploadService(storage, store, new MediaEngine(new MediaOptions(), clock), options, new JobOptions(), new CostOptions(), new UserLimits(new OpenUploads(), new ChunkGate(), options, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<UserLimits>.Instance), [new SpaceFloors(SpaceFloors.Uploads, [])], clock);

        var abandoned = await uploads.InitializeAsync("alice", null, new InitializeUpload("a.mp4", 10, "video/mp4", "video"), CancellationToken.None);
        await uploads.PutChunkAsync(abandoned, 0, new MemoryStream(new byte[4]), CancellationToken.None);
        await store.BeginCompletionAsync(abandoned.UploadId, "a_completer_that_died", TimeSpan.FromMinutes(10), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(50));
        var fresh = await uploads.InitializeAsync("alice", null, new InitializeUpload("b.mp4", 10, "video/mp4", "video"), CancellationToken.None);
        Assert.Equal(0, await uploads.RemoveExpiredAsync(CancellationToken.None));

        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(1, await uploads.RemoveExpiredAsync(CancellationToken.None));
        Assert.Null(await uploads.FindAsync(abandoned.UploadId, "alice", CancellationToken.None));
        Assert.NotNull(await uploads.FindAsync(fresh.UploadId, "alice", CancellationToken.None));
        Assert.Null(await storage.StatAsync(abandoned.ChunkKey(0), CancellationToken.None));
        Assert.Null(await store.GetCompletionAsync(abandoned.UploadId, CancellationToken.None));
    }
}
