using System.Net;
using System.Net.Sockets;
using Mixillo.Errors;
using Mixillo.Media;
using Mixillo.Media.Encoding;
using Mixillo.Media.Probing;
using Mixillo.Media.Running;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Integration;

/// <summary>Files that are not usable videos are refused with their stable code, and never make ffmpeg reach out.</summary>
[Collection(MediaCollection.Name)]
public sealed class RejectionTests(Clips clips) : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly MediaEngine _engine = new(new MediaOptions(), TimeProvider.System);

    public void Dispose() => _folder.Dispose();

    private async Task<MediaException> Rejected(string path)
    {
        var output = _folder.File("out");
        var error = await Assert.ThrowsAsync<MediaException>(() =>
            _engine.TranscodeAsync(path, output, new TranscodeOptions { Preset = "ultrafast" }, null, CancellationToken.None));
        Assert.True(error.IsInputError);
        OutputAssert.NoScratch(output);
        return error;
    }

    private string Write(string name, string text)
    {
        var path = _folder.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_missing_file_is_input_not_found() =>
        Assert.Equal(ErrorCatalog.InputNotFound.Code, (await Rejected(_folder.File("nope.mp4"))).Code);

    [Fact]
    public async Task An_empty_file_is_input_empty() =>
        Assert.Equal(ErrorCatalog.InputEmpty.Code, (await Rejected(Write("empty.mp4", ""))).Code);

    [Fact]
    public async Task A_text_file_named_mp4_is_input_not_video() =>
        Assert.Equal(ErrorCatalog.InputNotVideo.Code, (await Rejected(Write("notes.mp4", "Shopping list: milk, eggs.\n"))).Code);

    [Fact]
    public async Task An_audio_only_file_is_input_not_video() =>
        Assert.Equal(ErrorCatalog.InputNotVideo.Code, (await Rejected(clips["audio-only"])).Code);

    [Fact]
    public async Task A_truncated_mp4_is_input_malformed()
    {
        var whole = await File.ReadAllBytesAsync(clips["landscape"]);
        var path = _folder.File("truncated.mp4");
        await File.WriteAllBytesAsync(path, whole[..(whole.Length / 2)]);
        Assert.Equal(ErrorCatalog.InputMalformed.Code, (await Rejected(path)).Code);
    }

    [Fact]
    public async Task A_faststart_mp4_cut_after_40000_bytes_is_input_truncated() =>
        Assert.Equal(ErrorCatalog.InputTruncated.Code, (await Rejected(clips["truncated"])).Code);

    [Theory]
    [InlineData("faststart", 0.5)]
    [InlineData("faststart", 0.75)]
    [InlineData("mkv", 0.5)]
    [InlineData("webm", 0.5)]
    public async Task A_clip_cut_before_its_last_second_is_input_truncated(string clip, double kept)
    {
        var whole = await File.ReadAllBytesAsync(clips[clip]);
        var path = _folder.File("cut" + Path.GetExtension(clips[clip]));
        await File.WriteAllBytesAsync(path, whole[..(int)(whole.Length * kept)]);
        var error = await Assert.ThrowsAsync<MediaException>(() => _engine.ProbeAsync(path, CancellationToken.None));
        Assert.Equal(ErrorCatalog.InputTruncated.Code, error.Code);
    }

    [Theory]
    [InlineData("faststart")]
    [InlineData("portrait")]
    [InlineData("mov")]
    [InlineData("mkv")]
    [InlineData("webm")]
    [InlineData("silent")]
    [InlineData("rotated")]
    [InlineData("slideshow")]
    [InlineData("sixty")]
    [InlineData("hevc10")]
    public async Task Whole_clips_of_every_kind_are_not_taken_for_truncated(string clip) =>
        Assert.True((await _engine.ProbeAsync(clips[clip], CancellationToken.None)).DurationSeconds > 2);

    [Fact]
    public async Task An_encode_that_cannot_decode_its_source_fails_as_an_input_error()
    {
        // As when the source went bad after it was validated: ffmpeg's own complaints name the fault.
        var source = await _engine.ProbeAsync(clips["faststart"], CancellationToken.None);
        var error = await Assert.ThrowsAsync<MediaException>(() =>
            _engine.EncodeAsync(clips["truncated"], source, new TranscodeOptions { Preset = "ultrafast" }, _folder.File("out"), null, CancellationToken.None));
        Assert.Equal(ErrorCatalog.InputTruncated.Code, error.Code);
        Assert.Contains("partial file", error.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_input_too_large()
    {
        var engine = new MediaEngine(new MediaOptions { MaxFileSizeBytes = 1000 }, TimeProvider.System);
        var error = await Assert.ThrowsAsync<MediaException>(() => engine.ProbeAsync(clips["tiny"], CancellationToken.None));
        Assert.Equal(ErrorCatalog.InputTooLarge.Code, error.Code);
    }

    [Fact]
    public async Task A_clip_over_the_duration_limit_is_input_too_long()
    {
        var engine = new MediaEngine(new MediaOptions { MaxDurationSeconds = 2 }, TimeProvider.System);
        var error = await Assert.ThrowsAsync<MediaException>(() => engine.ProbeAsync(clips["tiny"], CancellationToken.None));
        Assert.Equal(ErrorCatalog.InputTooLong.Code, error.Code);
    }

    [Fact]
    public async Task A_disguised_hls_playlist_is_refused_without_any_network_request()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var playlist = Write("holiday.mp4", $"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1:{port}/segment.ts\n#EXT-X-ENDLIST\n");

        Assert.Equal(ErrorCatalog.InputUnsupportedFormat.Code, (await Rejected(playlist)).Code);

        // Even handed straight to the encoder (as if probing had been skipped), the forced demuxer and the
        // file-only protocol list make ffmpeg fail rather than fetch.
        var runner = new FfmpegRunner(new MediaOptions(), TimeProvider.System);
        var source = await _engine.ProbeAsync(clips["tiny"], CancellationToken.None);
        var plan = EncodePlanner.Plan(source, new TranscodeOptions { Preset = "ultrafast" });
        var bounds = SourceBounds.For(source, new MediaOptions());
        await Assert.ThrowsAsync<MediaException>(() =>
            runner.RunAsync(new FfmpegStep(FfmpegStep.Encode, 1, 3, ErrorCatalog.EncodeFailed), FfmpegArguments.Encode(plan, bounds, playlist, "mov", _folder.Path), null, CancellationToken.None));
        await Assert.ThrowsAsync<MediaException>(() =>
            runner.RunAsync(new FfmpegStep(FfmpegStep.Encode, 1, 3, ErrorCatalog.EncodeFailed), FfmpegArguments.Encode(plan, bounds, playlist, "hls", _folder.Path), null, CancellationToken.None));

        await Task.Delay(200);
        Assert.False(listener.Pending(), "ffmpeg connected to the address named inside the file");
    }

    [Fact]
    public async Task A_disguised_concat_list_is_refused()
    {
        var list = Write("trip.mp4", $"ffconcat version 1.0\nfile '{clips["tiny"]}'\n");
        Assert.Equal(ErrorCatalog.InputUnsupportedFormat.Code, (await Rejected(list)).Code);
    }

    [Fact]
    public async Task A_protocol_name_as_input_is_just_a_missing_file()
    {
        var error = await Assert.ThrowsAsync<MediaException>(() => _engine.ProbeAsync("concat:/etc/passwd|/etc/hosts", CancellationToken.None));
        Assert.Equal(ErrorCatalog.InputNotFound.Code, error.Code);
    }
}
