namespace Mixillo.Jobs.Storage;

internal static class Download
{
    /// <summary>Writes a stream to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public static async Task ToFileAsync(Stream source, string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var partial = full + "." + Guid.NewGuid().ToString("N") + ".download";
        try
        {
            await using (var destination = File.Create(partial))
            {
                await source.CopyToAsync(destination, cancellationToken);
            }

            File.Move(partial, full, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
