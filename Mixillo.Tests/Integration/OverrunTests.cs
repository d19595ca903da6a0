using Mixillo.Media;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Integration;

/// <summary>
/// Sources that hold more than their headers declare: the work they cause is bounded by what the source was
/// allowed, and they fail as input errors instead of being transcoded in full.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class OverrunTests(Clips clips) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static MediaEngine Engine(MediaOptions? options = null) => new(options ?? new MediaOptions { MaxDurationSeconds = 10 }, TimeProvider.System);

    [Fact]
    public async Task A_header_that_claims_5_s_of_a_60_s_file_is_input_too_long_at_validation()
    {
        var error = await Assert.ThrowsAsync<MediaException>(() => Engine().ProbeAsync(clips["claims5"], CancellationToken.None));
        Assert.Equal(MediaErrorCodes.InputTooLong, error.Code);
    }
}
