namespace Mixillo.Media;

/// <summary>A private working folder for one run, removed when disposed, whatever happened.</summary>
public sealed class ScratchFolder : IDisposable
{
    public const string Prefix = ".scratch-";

    private ScratchFolder(string path) => Path = path;

    public string Path { get; }

    public static ScratchFolder Create(string parent)
    {
        var path = System.IO.Path.Combine(parent, Prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return new ScratchFolder(path);
    }

    public void Dispose() => Delete(Path);

    /// <summary>Removes a folder and everything in it; one already gone is fine.</summary>
    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
