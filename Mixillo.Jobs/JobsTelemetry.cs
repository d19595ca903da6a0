using System.Diagnostics;

namespace Mixillo.Jobs;

/// <summary>The span source of the job store (<c>Mixillo.Jobs</c>) and the attribute names every Mixillo span shares.</summary>
public static class JobsTelemetry
{
    public const string Name = "Mixillo.Jobs";

    public const string JobId = "mixillo.job.id";
    public const string ContentId = "mixillo.content.id";
    public const string Stage = "mixillo.stage";

    public static readonly ActivitySource Source = new(Name);
}
