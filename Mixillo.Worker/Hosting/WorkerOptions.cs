using Mixillo.Jobs.Model;

namespace Mixillo.Worker.Hosting;

/// <summary>The <c>Worker</c> configuration section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Where a worker host serves /health and /alive when neither ASPNETCORE_URLS nor --urls says.</summary>
    public const string DefaultUrls = "http://localhost:5081";

    /// <summary>Stages at once in this process.</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>Comma-separated stages this worker takes (<c>fetch,process,publish</c>), so stages scale separately.</summary>
    public string Stages { get; set; } = "fetch,process,publish";

    /// <summary>Where stages work on local files; each attempt gets a folder of its own under it.</summary>
    public string ScratchRoot { get; set; } = Path.Combine(Path.GetTempPath(), "mixillo-scratch");

    /// <summary>At shutdown, running stages get this long to finish before they are released to the queue.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Below this much free space in the scratch folder (or a storage folder), no stage is claimed.</summary>
    public long MinFreeBytes { get; set; } = 1L << 30;

    /// <summary>The stage's progress is written at most this often.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the worker that fetched a job's source has the first claim on its process stage: it keeps the file and
    /// takes the stage at once, so the source crosses the network once. Another worker may take it after this (the
    /// fetching one stopped, or is full). Zero turns it off: every stage downloads what it needs.
    /// </summary>
    public TimeSpan NextStageHold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// While an encode runs, how often the segments it has finished are looked for and published with their growing
    /// playlists, so the content plays before it is ready. A segment waits this long at most on top of its encode.
    /// </summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often staging that no job needs any more is looked for and removed (<see cref="StagingSweeper"/>).</summary>
    public TimeSpan StagingSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    public IReadOnlyList<JobStage> StageList =>
        [.. Stages.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(JobJson.Parse<JobStage>).Distinct()];

    public void Validate()
    {
        if (Concurrency is < 1 or > 64)
        {
            throw new ArgumentException($"{Section}:Concurrency must be between 1 and 64.");
        }

        if (StageList.Count == 0)
        {
            throw new ArgumentException($"{Section}:Stages names no stage (fetch, process, publish).");
        }

        if (string.IsNullOrWhiteSpace(ScratchRoot))
        {
            throw new ArgumentException($"{Section}:ScratchRoot is required.");
        }

        if (ScratchRoot.Contains('%', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{Section}:ScratchRoot cannot contain '%': ffmpeg reads it in numbered file names (segments, thumbnails) as a pattern.");
        }

        if (MinFreeBytes < 0)
        {
            throw new ArgumentException($"{Section}:MinFreeBytes cannot be negative.");
        }

        if (NextStageHold < TimeSpan.Zero || NextStageHold > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"{Section}:NextStageHold must be between 0 and 00:05:00.");
        }

        if (ShutdownGrace < TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:ShutdownGrace cannot be negative.");
        }

        if (ProgressInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:ProgressInterval must be positive.");
        }

        if (LiveInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:LiveInterval must be positive.");
        }

        if (StagingSweepInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:StagingSweepInterval must be positive.");
        }
    }
}
