using Mixillo.Media.Probing;

namespace Mixillo.Jobs.Model;

/// <summary>The uploaded source: where it is in storage and what ffprobe said of it (once fetched).</summary>
public sealed record SourceFile
{
    public required string Key { get; init; }

    public string? OriginalName { get; init; }

    public long SizeBytes { get; init; }

    public string? MimeType { get; init; }

    public SourceInfo? Metadata { get; init; }
}

public sealed record SourceInfo
{
    public double DurationSeconds { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }

    public double FramesPerSecond { get; init; }

    public string? VideoCodec { get; init; }

    public string? AudioCodec { get; init; }

    public long BitrateBps { get; init; }

    public string? Format { get; init; }

    public static SourceInfo Of(SourceMetadata probe) => new()
    {
        DurationSeconds = probe.DurationSeconds,
        Width = probe.Video.Width,
        Height = probe.Video.Height,
        FramesPerSecond = probe.Video.FramesPerSecond,
        VideoCodec = probe.Video.Codec,
        AudioCodec = probe.Audio?.Codec,
        BitrateBps = probe.BitrateBps,
        Format = probe.FormatName,
    };
}

/// <summary>What the job is asked to produce, as the job document stores it; the defaults are the engine's.</summary>
public sealed record JobOptions
{
    private static readonly Media.TranscodeOptions Defaults = new();

    public IReadOnlyList<string> Qualities { get; init; } = [.. Defaults.Ladder.Select(rung => rung.Name)];

    public bool Hls { get; init; } = Defaults.Hls;

    public bool Dash { get; init; } = Defaults.Dash;

    public int ThumbnailCount { get; init; } = Defaults.ThumbnailCount;

    public bool Preview { get; init; } = Defaults.Preview;

    public bool Audio { get; init; } = Defaults.Audio;

    public string Preset { get; init; } = Defaults.Preset;

    /// <summary>The engine's options; throws <see cref="ArgumentException"/> naming a bad quality, count or preset.</summary>
    public Media.TranscodeOptions ToTranscodeOptions()
    {
        var options = new Media.TranscodeOptions
        {
            Ladder = Media.Planning.Rung.ParseLadder(string.Join(',', Qualities)),
            Hls = Hls,
            Dash = Dash,
            ThumbnailCount = ThumbnailCount,
            Preview = Preview,
            Audio = Audio,
            Preset = Preset,
        };
        options.Validate();
        return options;
    }
}

public sealed class JobTask
{
    public required string TaskId { get; init; }

    public required JobTaskType Type { get; init; }

    public JobTaskStatus Status { get; set; }

    public double Progress { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? Error { get; set; }

    public int RetryCount { get; set; }

    /// <summary>The storage key of what the task produced, when it produced one file or manifest.</summary>
    public string? Output { get; set; }
}

/// <summary>One rendition, or a stream manifest (HLS, DASH) with its segments.</summary>
public sealed record JobOutput
{
    /// <summary>The rung (<c>720p</c>, or <c>source</c> for a source below the ladder at its own size) or <c>hls</c> / <c>dash</c>.</summary>
    public required string Quality { get; init; }

    public required string Key { get; init; }

    public long SizeBytes { get; init; }

    public long BitrateBps { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }

    public double DurationSeconds { get; init; }

    public string? Codec { get; init; }

    public string? ManifestKey { get; init; }

    public int SegmentCount { get; init; }

    public double SegmentDurationSeconds { get; init; }
}

public sealed record JobThumbnail(string Key, double OffsetSeconds, int Width, int Height);

public sealed record AnimatedPreview(string Key, double DurationSeconds, int Width, int Height);

public sealed record AudioTrack(string Key, int BitrateKbps, int SampleRate, double DurationSeconds);

public sealed record JobProgress
{
    /// <summary>0-100, following the pipeline (metadata 5, transcode 10-70, HLS 75, ... done 100).</summary>
    public double Overall { get; init; }

    public string? CurrentTask { get; init; }

    public string? CurrentStep { get; init; }
}

/// <summary>The content a job is for, as its uploader described it: its type (<c>video</c>) and caption.</summary>
public sealed record ContentInfo(string Type, string? Caption)
{
    /// <summary>The only type there is (the original design's enum, which may grow).</summary>
    public const string Video = "video";

    /// <summary>The longest caption, as the big short-video apps allow.</summary>
    public const int MaxCaptionLength = 2200;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (Type != Video)
        {
            throw new ArgumentException($"content type must be '{Video}'.");
        }

        if (Caption?.Length > MaxCaptionLength)
        {
            throw new ArgumentException($"caption is at most {MaxCaptionLength} characters.");
        }
    }
}

/// <summary>Who the job is for, as their token named them; each field only when the token carries it.</summary>
public sealed record UserInfo(string? Username, string? FullName, string? Email)
{
    /// <summary>The longest name or address kept (an email address is at most 254 characters).</summary>
    public const int MaxFieldLength = 256;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field over <see cref="MaxFieldLength"/>.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { ("username", Username), ("fullName", FullName), ("email", Email) })
        {
            if (value?.Length > MaxFieldLength)
            {
                throw new ArgumentException($"{name} is at most {MaxFieldLength} characters.");
            }
        }
    }
}

/// <summary>The worker holding the job's lease.</summary>
public sealed record WorkerInfo(string WorkerId, string Hostname, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat);

public sealed record JobError
{
    /// <summary>The task that failed, or <c>job</c> for the job as a whole (a stuck worker, say).</summary>
    public required string Task { get; init; }

    /// <summary>A stable code (<c>input_malformed</c>, <c>worker_lost</c>, ...).</summary>
    public required string Code { get; init; }

    public required string Error { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required bool Retryable { get; init; }
}

/// <summary>What the job has used so far, across stages and attempts: the basis of its actual cost.</summary>
public sealed record JobUsage(double CpuSeconds, long BytesRead, long BytesWritten)
{
    public static readonly JobUsage None = new(0, 0, 0);

    public JobUsage Add(double cpuSeconds = 0, long bytesRead = 0, long bytesWritten = 0) =>
        new(CpuSeconds + cpuSeconds, BytesRead + bytesRead, BytesWritten + bytesWritten);
}

public sealed record JobCost(decimal Compute, decimal Storage, decimal Bandwidth)
{
    public decimal Total => Compute + Storage + Bandwidth;
}
