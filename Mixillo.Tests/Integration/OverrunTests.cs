using System.Diagnostics;
using Mixillo.Errors;
using Mixillo.Media;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Integration;

/// <summary>
/// Sources that hold more than their headers declare (longer, denser, larger pictures): the work they cause is
/// bounded by what the source was allowed, and they fail as input errors instead of being transcoded in full.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class OverrunTests(Clips clips) : IDisposable
{
    private static readonly TranscodeOptions Fast = new() { Preset = "ultrafast", ThumbnailCount = 2 };
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static MediaEngine Engine(MediaOptions? options = null) => new(options ?? new MediaOptions { MaxDurationSeconds = 10 }, TimeProvider.System);

    private async Task<MediaException> Refused(string clip, MediaOptions? options = null)
    {
        var output = _folder.File("out");
        var error = await Assert.ThrowsAsync<MediaException>(() => Engine(options).TranscodeAsync(clips[clip], output, Fast, null, CancellationToken.None));
        Assert.True(error.IsInputError);
        OutputAssert.NoScratch(output);
        return error;
    }

    [Fact]
    public async Task A_header_that_claims_5_s_of_a_60_s_file_is_input_too_long_at_validation()
    {
        var error = await Assert.ThrowsAsync<MediaException>(() => Engine().ProbeAsync(clips["claims5"], CancellationToken.None));
        Assert.Equal(ErrorCatalog.InputTooLong.Code, error.Code);
    }

    [Fact]
    public async Task An_encode_fooled_by_the_header_stops_just_past_the_declared_end_as_input_too_long()
    {
        // As if validation had believed the header: the encode itself must not read the other 55 s.
        var source = await Engine(new MediaOptions()).ProbeAsync(clips["mkv60"], CancellationToken.None) with { DurationSeconds = 5 };
        var folder = _folder.File("encode");
        var error = await Assert.ThrowsAsync<MediaException>(() => Engine().EncodeAsync(clips["claims5"], source, Fast, folder, null, CancellationToken.None));
        Assert.Equal(ErrorCatalog.InputTooLong.Code, error.Code);
        Assert.Contains("the 5 s it declares", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_whose_timestamps_start_over_is_input_too_long_and_its_encode_stops_early()
    {
        var clock = Stopwatch.StartNew();
        Assert.Equal(ErrorCatalog.InputTooLong.Code, (await Refused("restarting")).Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task More_frames_than_the_declared_duration_can_hold_is_input_too_long() =>
        Assert.Equal(ErrorCatalog.InputTooLong.Code, (await Refused("dense")).Code);

    [Fact]
    public async Task A_picture_that_grows_past_the_size_limit_mid_stream_is_input_dimensions_unsupported() =>
        Assert.Equal(ErrorCatalog.InputDimensionsUnsupported.Code, (await Refused("growing", new MediaOptions { MaxLongSide = 700 })).Code);

    [Fact]
    public async Task A_picture_that_grows_within_the_size_limit_keeps_every_output_at_its_planned_size()
    {
        var output = _folder.File("out");
        var result = await Engine(new MediaOptions()).TranscodeAsync(clips["growing"], output, Fast, null, CancellationToken.None);

        Assert.Equal((360, 640), (result.Source.Video.Width, result.Source.Video.Height));
        OutputAssert.Renditions(output, result, [("360p", 360, 640)], audio: true);
        Assert.All(result.Thumbnails, t => Assert.Equal((360, 640), (t.Width, t.Height)));
        Assert.Equal((360, 640), (result.Preview!.Width!.Value, result.Preview.Height!.Value));
    }
}
