using Mixillo.Jobs.Storage;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Storage;

public sealed class FileSystemStorageTests : ObjectStorageContract
{
    private readonly TempFolder _root = new();

    protected override Task<IObjectStorage> CreateAsync(long multipartThreshold) =>
        Task.FromResult<IObjectStorage>(new FileSystemStorage(_root.Path));

    protected override void Cleanup() => _root.Dispose();

    [Fact]
    public async Task The_health_check_fails_when_the_folder_is_missing() =>
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => new FileSystemStorage(Path.Combine(_root.Path, "unmounted")).CheckAsync(CancellationToken.None));

    [Fact]
    public async Task Writes_leave_no_partial_files_behind()
    {
        var file = Path.Combine(_root.Path, "..", "source-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, new byte[1000]);
        try
        {
            await Storage.PutFileAsync("a/b.mp4", file, CancellationToken.None);
            Assert.Equal([Path.Combine(_root.Path, "a", "b.mp4")], Directory.GetFiles(_root.Path, "*", SearchOption.AllDirectories));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
