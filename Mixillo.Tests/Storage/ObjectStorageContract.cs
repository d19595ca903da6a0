using System.Security.Cryptography;
using Mixillo.Jobs.Storage;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Storage;

/// <summary>What every object storage must do, run against the filesystem and a real S3 server.</summary>
public abstract class ObjectStorageContract : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _local = new();

    protected IObjectStorage Storage { get; private set; } = null!;

    /// <summary>A storage on a bucket or folder of this test's own; <paramref name="multipartThreshold"/> where it applies.</summary>
    protected abstract Task<IObjectStorage> CreateAsync(long multipartThreshold);

    public async Task InitializeAsync()
    {
        Storage = await CreateAsync(multipartThreshold: 5 * 1024 * 1024);
        await Storage.InitializeAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        (Storage as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _local.Dispose();
        Cleanup();
    }

    /// <summary>Removes what the derived class made for its storage.</summary>
    protected virtual void Cleanup()
    {
    }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_health_check_passes_on_initialized_storage_and_writes_nothing()
    {
        await Storage.CheckAsync(None);
        await using var listing = Storage.ListAsync("", None).GetAsyncEnumerator(None);
        Assert.False(await listing.MoveNextAsync());
    }

    private string LocalFile(string name, int bytes, int seed = 1)
    {
        var path = _local.File(name);
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        File.WriteAllBytes(path, data);
        return path;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task A_file_goes_up_and_comes_back_byte_for_byte()
    {
        var source = LocalFile("clip.mp4", 300_000);
        await Storage.PutFileAsync("uploads/u1/clip.mp4", source, None);

        var back = _local.File("back.mp4");
        await Storage.GetFileAsync("uploads/u1/clip.mp4", back, None);
        Assert.Equal(Hash(source), Hash(back));

        var stat = await Storage.StatAsync("uploads/u1/clip.mp4", None);
        Assert.Equal(300_000, stat!.SizeBytes);
        Assert.True(stat.LastModified > DateTimeOffset.UtcNow.AddMinutes(-10));

        await using var stream = await Storage.OpenReadAsync("uploads/u1/clip.mp4", None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(File.ReadAllBytes(source), copy.ToArray());
    }

    [Fact]
    public async Task A_large_file_goes_up_in_parts_and_comes_back_whole()
    {
        var source = LocalFile("big.mp4", (12 * 1024 * 1024) + 123);
        await Storage.PutFileAsync("videos/c1/720p.mp4", source, None);

        var back = _local.File("big-back.mp4");
        await Storage.GetFileAsync("videos/c1/720p.mp4", back, None);
        Assert.Equal(Hash(source), Hash(back));
        Assert.Equal(new FileInfo(source).Length, (await Storage.StatAsync("videos/c1/720p.mp4", None))!.SizeBytes);
    }

    /// <summary>What a presigned URL of this storage gives an anonymous HTTP client (null: this storage has none).</summary>
    protected virtual Task<byte[]?> FetchPresignedAsync(string url) => Task.FromResult<byte[]?>(null);

    [Fact]
    public async Task A_presigned_url_reads_the_object_without_credentials_where_storage_has_them()
    {
        var source = LocalFile("p.mp4", 1234);
        await Storage.PutFileAsync("videos/c9/720p.mp4", source, None);
        var url = await Storage.PresignReadAsync("videos/c9/720p.mp4", TimeSpan.FromMinutes(5));
        Assert.Equal(url is null ? null : File.ReadAllBytes(source), url is null ? null : await FetchPresignedAsync(url));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Storage.PresignReadAsync("../x", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Missing_objects_are_reported_as_missing()
    {
        Assert.Null(await Storage.StatAsync("nothing/here.mp4", None));
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.GetFileAsync("nothing/here.mp4", _local.File("x"), None));
        Assert.Equal("nothing/here.mp4", error.Key);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.OpenReadAsync("nothing/here.mp4", None));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.CopyAsync("nothing/here.mp4", "b/c.mp4", None));
        Assert.False(File.Exists(_local.File("x")));
        await Storage.DeleteAsync("nothing/here.mp4", None);
    }

    [Fact]
    public async Task A_folder_of_objects_is_not_an_object()
    {
        await Storage.PutFileAsync("videos/c1/hls/master.m3u8", LocalFile("f", 10), None);
        foreach (var folder in new[] { "videos", "videos/c1", "videos/c1/hls" })
        {
            Assert.Null(await Storage.StatAsync(folder, None));
            await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.OpenReadAsync(folder, None));
            await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.GetFileAsync(folder, _local.File("x"), None));
            await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.CopyAsync(folder, "other/x", None));
            await Storage.DeleteAsync(folder, None);
        }

        Assert.Equal(["videos/c1/hls/master.m3u8"], await Keys(""));
    }

    [Fact]
    public async Task A_second_put_replaces_the_first()
    {
        await Storage.PutFileAsync("a/b.bin", LocalFile("one", 10, seed: 1), None);
        await Storage.PutFileAsync("a/b.bin", LocalFile("two", 20, seed: 2), None);
        var back = _local.File("back");
        await Storage.GetFileAsync("a/b.bin", back, None);
        Assert.Equal(Hash(_local.File("two")), Hash(back));
    }

    [Fact]
    public async Task An_objects_entity_tag_stays_while_it_does_and_changes_when_it_is_replaced()
    {
        await Storage.PutFileAsync("videos/c1/720p.mp4", LocalFile("one", 10, seed: 1), None);
        var first = (await Storage.StatAsync("videos/c1/720p.mp4", None))!.ETag;

        Assert.False(string.IsNullOrEmpty(first));
        Assert.DoesNotContain('"', first);
        Assert.Equal(first, (await Storage.StatAsync("videos/c1/720p.mp4", None))!.ETag);
        await foreach (var listed in Storage.ListAsync("videos/c1/", None))
        {
            Assert.Equal(first, listed.ETag);
        }

        await Storage.PutFileAsync("videos/c1/720p.mp4", LocalFile("two", 20, seed: 2), None);
        Assert.NotEqual(first, (await Storage.StatAsync("videos/c1/720p.mp4", None))!.ETag);
    }

    [Fact]
    public async Task Listing_is_by_string_prefix_in_key_order()
    {
        var file = LocalFile("f", 5);
        foreach (var key in new[] { "videos/ab/2.m4s", "videos/ab/1.m4s", "videos/abc/1.m4s", "videos/b/1.m4s", "other/1.m4s" })
        {
            await Storage.PutFileAsync(key, file, None);
        }

        Assert.Equal(["videos/ab/1.m4s", "videos/ab/2.m4s"], await Keys("videos/ab/"));
        Assert.Equal(["videos/ab/1.m4s", "videos/ab/2.m4s", "videos/abc/1.m4s"], await Keys("videos/ab"));
        Assert.Equal(5, (await Keys("")).Count);
        Assert.Empty(await Keys("none/"));
    }

    [Fact]
    public async Task Copy_and_delete_by_prefix_work_inside_storage()
    {
        var file = LocalFile("f", 1000);
        await Storage.PutFileAsync("staging/j1/720p.mp4", file, None);
        await Storage.PutFileAsync("staging/j1/hls/master.m3u8", file, None);
        await Storage.PutFileAsync("staging/j2/720p.mp4", file, None);

        await Storage.CopyAsync("staging/j1/720p.mp4", "videos/c1/720p.mp4", None);
        Assert.Equal(1000, (await Storage.StatAsync("videos/c1/720p.mp4", None))!.SizeBytes);

        Assert.Equal(2, await Storage.DeletePrefixAsync("staging/j1/", None));
        Assert.Equal(["staging/j2/720p.mp4"], await Keys("staging/"));
        Assert.NotNull(await Storage.StatAsync("videos/c1/720p.mp4", None));
        await Storage.DeleteAsync("videos/c1/720p.mp4", None);
        Assert.Null(await Storage.StatAsync("videos/c1/720p.mp4", None));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("videos//a.mp4")]
    [InlineData("videos/./a.mp4")]
    [InlineData("videos/a b.mp4")]
    [InlineData("videos/a%2F..%2Fb")]
    [InlineData("")]
    public async Task Unsafe_keys_are_refused_before_anything_is_touched(string key)
    {
        var file = LocalFile("f", 5);
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Storage.PutFileAsync(key, file, None));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Storage.GetFileAsync(key, _local.File("x"), None));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Storage.StatAsync(key, None));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Storage.DeleteAsync(key, None));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Storage.CopyAsync("a/b", key, None));
        if (key != "")
        {
            await Assert.ThrowsAsync<InvalidStorageKeyException>(async () => await Keys(key));
        }
    }

    private async Task<List<string>> Keys(string prefix)
    {
        var keys = new List<string>();
        await foreach (var found in Storage.ListAsync(prefix, None))
        {
            keys.Add(found.Key);
        }

        return keys;
    }
}
