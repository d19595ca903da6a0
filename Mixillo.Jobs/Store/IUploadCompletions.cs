using Mixillo.Jobs.Model;

namespace Mixillo.Jobs.Store;

/// <summary>The single-flight record of an upload's <c>complete</c>: who is finishing it, and the answer every later call repeats.</summary>
public interface IUploadCompletions
{
    /// <summary>
    /// Begins the completion of an upload for <paramref name="completer"/>, unless another completer holds it and
    /// began less than <paramref name="staleAfter"/> ago (then it is left alone), or it already finished. Returns the
    /// marker as it stands: <see cref="UploadCompletion.IsHeldBy"/> says whether this completer now does the work.
    /// </summary>
    Task<UploadCompletion> BeginCompletionAsync(string uploadId, string completer, TimeSpan staleAfter, CancellationToken cancellationToken);

    Task<UploadCompletion?> GetCompletionAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates and queues the upload's job and marks the completion completed with it, in one transaction, so a
    /// crash leaves either both or neither. Throws <see cref="CompletionLostException"/> when <paramref name="held"/>
    /// is no longer held by its completer.
    /// </summary>
    Task<TranscodeJob> FinishCompletionAsync(UploadCompletion held, NewJob job, CancellationToken cancellationToken);

    /// <summary>Marks the completion rejected for good. Throws <see cref="CompletionLostException"/> as finishing does.</summary>
    Task<UploadCompletion> RejectCompletionAsync(UploadCompletion held, string code, string message, CancellationToken cancellationToken);

    /// <summary>Removes the marker if its completer still holds it (a failure that was not the file's fault: the next call starts afresh).</summary>
    Task ReleaseCompletionAsync(UploadCompletion held, CancellationToken cancellationToken);

    /// <summary>Removes the marker whatever its state (its upload is gone).</summary>
    Task ForgetCompletionAsync(string uploadId, CancellationToken cancellationToken);
}
