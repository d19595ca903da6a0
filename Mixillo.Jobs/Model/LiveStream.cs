using Mixillo.Media;

namespace Mixillo.Jobs.Model;

/// <summary>
/// The HLS of a job still processing, published segment by segment while its encode runs: the attempt (its lease) that
/// cuts it and when every rendition's first segment was out. It is addressed per attempt, so an encode that starts again
/// starts a new stream instead of rewriting one a player follows.
/// </summary>
public sealed record LiveStream(long Lease, DateTimeOffset PlayableAt)
{
    /// <summary>The API's route for live streams: <c>/media/live/{contentId}/{lease}/hls/...</c>.</summary>
    public const string Route = "/media/live/";

    /// <summary>The master playlist's URL on the API's origin.</summary>
    public string Hls(string contentId) => $"{Route}{contentId}/{Lease}/{OutputLayout.HlsMaster}";
}
