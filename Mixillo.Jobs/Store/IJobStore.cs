namespace Mixillo.Jobs.Store;

/// <summary>
/// The system of record for jobs and, in the same rows, their queue: a job's status and its place in the
/// queue change in one transaction. SQLite (embedded) and PostgreSQL (distributed) implement it.
/// </summary>
public interface IJobStore : IJobQueue, IJobQueries, ISchemaMigrator, IUploadCompletions, IAsyncDisposable
{
}
