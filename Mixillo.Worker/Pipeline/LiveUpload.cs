using Microsoft.Extensions.Logging;
using Mixillo.Media;
using Mixillo.Media.Packaging;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// Publishes an encode's HLS while it is cut, under the attempt's staging prefix (which a cancel or a failed attempt
/// removes, and which publish never copies from until the encode has completed): at every poll the segments ffmpeg has
/// finished go up first, then each playlist that grew, written as <c>EVENT</c>. Once every variant has its first
/// segment the master goes up and the job is marked playable. The early stream is a courtesy: if storage fails it,
/// it stops and the job goes on as before, its files all uploaded with the encode's.
/// </summary>
/// <param name="output">The folder the encode writes into.</param>
internal sealed partial class LiveUpload(StageStorage transfers, StageContext context, LiveHls hls, string output, string attempt, ILogger logger)
{
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _listed = new(StringComparer.Ordinal);
    private bool _playable;

    /// <summary>The files uploaded so far, by full path: final as they are, so the encode's upload skips them.</summary>
    public bool Uploaded(string path) => _uploaded.Contains(path);

    /// <summary>Polls every <paramref name="interval"/> until <paramref name="stop"/> (the encode ended); never throws but for the stop.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await PollAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogStopped(ex, context.Job.JobId);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var variants = hls.Read();
        foreach (var variant in variants)
        {
            // Only a playlist that grew: one read part-way through a write may list fewer than the last.
            var playlist = variant.Playlist;
            if (playlist.Segments.Count <= _listed.GetValueOrDefault(variant.Folder))
            {
                continue;
            }

            foreach (var file in playlist.Segments.Select(s => s.Uri).Prepend(playlist.InitSegment!))
            {
                await UploadOnceAsync($"{variant.Folder}/{file}", cancellationToken);
            }

            await PutTextAsync($"{variant.Folder}/{OutputLayout.VariantPlaylist}", playlist.WriteEvent(ended: false), cancellationToken);
            _listed[variant.Folder] = playlist.Segments.Count;
        }

        if (!_playable && hls.Master(variants) is { } master)
        {
            await PutTextAsync(OutputLayout.HlsMaster, master, cancellationToken);
            await context.ChangeAsync((job, now) => job.MarkPlayable(now), cancellationToken);
            _playable = true;
            LogPlayable(context.Job.JobId, context.Lease.Token);
        }
    }

    private async Task UploadOnceAsync(string relative, CancellationToken cancellationToken)
    {
        var path = Path.Combine(output, relative);
        if (!_uploaded.Contains(path))
        {
            // Counted as up only once it is: one that failed or was cut short goes up with the encode's other files.
            await transfers.PutAsync(context, attempt + relative, path, cancellationToken);
            _uploaded.Add(path);
        }
    }

    /// <summary>A playlist as players get it: written beside the encode's folder (never over ffmpeg's own), then uploaded.</summary>
    private async Task PutTextAsync(string relative, string text, CancellationToken cancellationToken)
    {
        var path = Path.Combine(context.Scratch, "live", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text, cancellationToken);
        await transfers.PutAsync(context, attempt + relative, path, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} plays while it encodes (lease {Lease})")]
    private partial void LogPlayable(string jobId, long lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The early stream of {JobId} stopped; the job goes on")]
    private partial void LogStopped(Exception exception, string jobId);
}
