using Mixillo.Jobs.Model;

namespace Mixillo.Worker.Pipeline;

/// <summary>
/// One stage of the pipeline: does its work from storage to storage and ends by acknowledging the stage, which queues
/// the job for the next one. <see cref="StageExecutor"/> runs it under its lease and decides the outcome.
/// </summary>
internal interface IStage
{
    JobStage Stage { get; }

    Task RunAsync(StageContext context, CancellationToken cancellationToken);
}
