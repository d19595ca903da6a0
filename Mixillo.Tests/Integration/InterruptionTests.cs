using System.Diagnostics;
using Mixillo.Errors;
using Mixillo.Media;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Integration;

/// <summary>Cancellation and the stall watchdog kill a real, running ffmpeg and leave no scratch behind.</summary>
[Collection(MediaCollection.Name)]
public sealed class InterruptionTests(Clips clips) : IDisposable
{
    private readonly TempFolder _out = new();

    public void Dispose() => _out.Dispose();

    /// <summary>Starts a long encode and returns once ffmpeg reports progress, with its process id.</summary>
    private static async Task<(Task Run, int Pid)> StartLongEncode(MediaEngine engine, string clip, string output, string preset, CancellationToken cancellationToken)
    {
        var pid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var encoding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        engine.FfmpegStarted += id => pid.TrySetResult(id);
        var progress = new SynchronousProgress(p =>
        {
            if (p.Step == MediaProgress.Encode && p.Percent > 0 && Interlocked.Exchange(ref started, 1) == 0)
            {
                encoding.TrySetResult();
            }
        });
        var run = engine.TranscodeAsync(clip, output, new TranscodeOptions { Preset = preset }, progress, cancellationToken);
        // A run that ends before encoding shows progress says why (rather than a bare timeout).
        if (await Task.WhenAny(encoding.Task, run).WaitAsync(TimeSpan.FromSeconds(60)) == run)
        {
            await run;
            throw new InvalidOperationException("The encode finished before it reported progress.");
        }

        return (run, await pid.Task);
    }

    [Fact]
    public async Task Cancel_kills_ffmpeg_within_a_second_and_removes_scratch()
    {
        using var cancel = new CancellationTokenSource();
        var engine = new MediaEngine(new MediaOptions(), TimeProvider.System);
        var (run, pid) = await StartLongEncode(engine, clips["long"], _out.Path, "medium", cancel.Token);
        Assert.True(Tool.IsRunning(pid));
        Assert.Single(Directory.GetDirectories(_out.Path, ".scratch-*"));

        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"cancel took {clock.Elapsed}");
        Assert.False(Tool.IsRunning(pid));
        OutputAssert.NoScratch(_out.Path);
        Assert.Empty(Directory.GetFileSystemEntries(_out.Path));
    }

    [Fact]
    public async Task A_stalled_ffmpeg_is_killed_as_encoder_stalled_and_leaves_no_scratch()
    {
        // ultrafast has no lookahead, so progress moves from the first frames and the timeout only catches the stop
        // (5 s: ffmpeg's start on a machine busy with the rest of the suite once took longer than 1.5 s).
        var engine = new MediaEngine(new MediaOptions { StallTimeout = TimeSpan.FromSeconds(5) }, TimeProvider.System);
        var (run, pid) = await StartLongEncode(engine, clips["long"], _out.Path, "ultrafast", CancellationToken.None);

        // A frozen ffmpeg (as on a hung disk or a decoder spinning on bad data): stopped, not dead.
        Tool.Run("kill", ["-STOP", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var error = await Assert.ThrowsAsync<MediaException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(ErrorCatalog.EncoderStalled.Code, error.Code);
        Assert.False(error.IsInputError);
        Assert.False(Tool.IsRunning(pid));
        OutputAssert.NoScratch(_out.Path);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_failing_ffmpeg_is_encode_failed_with_its_stderr_kept_for_logs()
    {
        // An ffmpeg that dies the way a broken build or a full disk makes it die: a message and exit 1.
        var fake = Path.Combine(_out.Path, "ffmpeg-that-fails");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'Error writing trailer: No space left on device' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var engine = new MediaEngine(new MediaOptions { FfmpegPath = fake }, TimeProvider.System);
        var output = Path.Combine(_out.Path, "out");

        var error = await Assert.ThrowsAsync<MediaException>(() =>
            engine.TranscodeAsync(clips["tiny"], output, new TranscodeOptions { Preset = "ultrafast" }, null, CancellationToken.None));

        Assert.Equal(ErrorCatalog.EncodeFailed.Code, error.Code);
        Assert.DoesNotContain("No space", error.Message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", error.Diagnostics, StringComparison.Ordinal);
        OutputAssert.NoScratch(output);
    }
}

/// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, too late for these tests).</summary>
internal sealed class SynchronousProgress(Action<MediaProgress> report) : IProgress<MediaProgress>
{
    public void Report(MediaProgress value) => report(value);
}
