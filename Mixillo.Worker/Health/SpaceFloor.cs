namespace Mixillo.Worker.Health;

/// <summary>
/// A folder this process fills and the free space it keeps there: below the floor, new work is refused (uploads)
/// or not claimed (stages), and <c>/health</c> says Degraded, rather than a disk filling up halfway through a file.
/// </summary>
public sealed record SpaceFloor(string Name, string Folder, long MinFreeBytes)
{
    /// <summary>Free bytes on the folder's file system, for this (unprivileged) process; the folder is made if missing.</summary>
    public long FreeBytes()
    {
        Directory.CreateDirectory(Folder);
        return new DriveInfo(Path.GetFullPath(Folder)).AvailableFreeSpace;
    }

    /// <summary>What is wrong when the floor is reached (one look at the file system), or null while there is room.</summary>
    public string? Shortfall() =>
        FreeBytes() is var free && free < MinFreeBytes ? $"{Name} ({Folder}) has {free >> 20} MiB free, below its floor of {MinFreeBytes >> 20} MiB" : null;
}

/// <summary>The floors of one kind of work: <see cref="Uploads"/> (the API) or <see cref="Stages"/> (a worker).</summary>
public sealed record SpaceFloors(string Work, IReadOnlyList<SpaceFloor> Floors)
{
    public const string Uploads = "uploads";
    public const string Stages = "stages";

    /// <summary>The shortfall of the first floor that is reached, or null when the work may go on.</summary>
    public string? FirstShortfall() => Floors.Select(floor => floor.Shortfall()).FirstOrDefault(shortfall => shortfall is not null);
}
