namespace Mixillo.Tests.Api;

/// <summary>The embedded configuration: SQLite, a storage folder and the worker inside the API process; small fast jobs.</summary>
public sealed class EmbeddedApiFactory : ApiFactory
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Worker:InProcess"] = "true",
        ["Worker:ProgressInterval"] = "00:00:00.250",
        ["Queue:HeartbeatInterval"] = "00:00:00.500",
        ["Queue:PollInterval"] = "00:00:01",
        ["Transcode:Qualities"] = "480p,360p",
        ["Transcode:ThumbnailCount"] = "2",
        ["Transcode:Preset"] = "ultrafast",
        ["Upload:ChunkSize"] = "65536",
    };
}
