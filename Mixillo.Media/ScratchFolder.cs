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

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
