using System.Security.Cryptography;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Store;
using Mixillo.Media;

namespace Mixillo.Api.Uploads;

/// <summary>
/// Complete: once per upload, whoever calls it and however often. The first caller assembles the chunks, validates
/// the file and creates the job; every later call waits for that answer and repeats it.
/// </summary>
public sealed partial class UploadService
{
    /// <summary>How often a call waiting for another call's completion of the same upload looks again: a small read.</summary>
    private static readonly TimeSpan CompletionPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Assembles, probes and validates the file, stores it as the content's source and enqueues its job, once per
    /// upload across every API instance. The store's completion marker lets one call do the work while calls that
    /// come meanwhile wait for its answer, and keeps that answer (the content and job, or the refusal of a file
    /// that is not a usable video) for every later call, which repeats it without assembling or probing anything.
    /// </summary>
    public async Task<UploadSession> CompleteAsync(UploadSession session, CancellationToken cancellationToken)
    {
        if (session.ContentId is not null)
        {
            return session;
        }

        EnsureSpace();
        await EnsureJobRoomAsync(session.UserId, cancellationToken);
        var completer = $"{Environment.MachineName}_{Environment.ProcessId}_{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        while (true)
        {
            var completion = await store.BeginCompletionAsync(session.UploadId, completer, options.CompletingStaleAfter, cancellationToken);
            if (completion.State == CompletionState.Completed)
            {
                return session with { ContentId = completion.ContentId, JobId = completion.JobId };
            }

            if (completion.State == CompletionState.Rejected)
            {
                throw Refusal(completion.Code!, completion.Message!);
            }

            if (!completion.IsHeldBy(completer))
            {
                await WaitForCompleterAsync(completion, cancellationToken);
            }
            else if (await CompleteHeldAsync(session, completion, cancellationToken) is { } completed)
            {
                return completed;
            }
        }
    }

    /// <summary>
    /// The work of the call that holds the completion. Null when the completion was taken over meanwhile (this call
    /// was too slow and counted as dead): the caller then waits for the new holder's answer.
    /// </summary>
    private async Task<UploadSession?> CompleteHeldAsync(UploadSession session, UploadCompletion held, CancellationToken cancellationToken)
    {
        var extension = Path.GetExtension(session.FileName).ToLowerInvariant();
        var path = Scratch($"{session.UploadId}-{Guid.NewGuid():N}{extension}");
        try
        {
            TranscodeJob job;
            try
            {
                var received = await ReceivedAsync(session, cancellationToken);
                var missing = Enumerable.Range(0, session.TotalChunks).Except(received).ToList();
                if (missing.Count > 0)
                {
                    throw new UploadException(ErrorCatalog.UploadIncomplete, $"Chunks missing: {string.Join(',', missing.Take(50))}{(missing.Count > 50 ? ", ..." : "")}.");
                }

                await AssembleAsync(session, path, cancellationToken);
                // Throws MediaException (input_*) for a file that is not a usable video; the upload stays for inspection.
                var source = await engine.ProbeAsync(path, cancellationToken);

                var sourceKey = OutputKeys.Sources(session.TargetContentId) + "source" + extension;
                var newJob = new NewJob
                {
                    ContentId = session.TargetContentId,
                    UserId = session.UserId,
                    Content = new ContentInfo(session.UploadType ?? ContentInfo.Video, session.Caption),
                    User = session.User,
                    Source = new SourceFile { Key = sourceKey, OriginalName = session.FileName, SizeBytes = session.FileSize, MimeType = session.MimeType },
                    Options = defaults,
                    EstimatedCost = CostModel.Estimate(source.DurationSeconds, source.SizeBytes, defaults, prices),
                    Probe = source,
                };
                // Before the copy: a job the store would refuse must not leave a source behind under sources/.
                try
                {
                    newJob.Validate();
                }
                catch (ArgumentException ex)
                {
                    throw new UploadException(ErrorCatalog.UploadInvalid, ex.Message);
                }

                await storage.PutFileAsync(sourceKey, path, cancellationToken);
                job = await store.FinishCompletionAsync(held, newJob, cancellationToken);
            }
            catch (Exception ex) when (RefusalOf(ex) is { } refusal)
            {
                // Recorded even when the caller has gone: the verdict on the file is known and stays.
                await store.RejectCompletionAsync(held, refusal.Code, refusal.Message, CancellationToken.None);
                throw;
            }

            // The job exists: the bookkeeping ends even if the caller has gone (later calls answer from the marker anyway).
            var completed = session with { ContentId = job.ContentId, JobId = job.JobId };
            await SaveAsync(completed, CancellationToken.None);
            await limits.RemoveOpenAsync(session);
            for (var i = 0; i < session.TotalChunks; i++)
            {
                await storage.DeleteAsync(session.ChunkKey(i), CancellationToken.None);
            }

            return completed;
        }
        catch (CompletionLostException)
        {
            return null;
        }
        catch (Exception ex) when (RefusalOf(ex) is null)
        {
            // Not the file's fault (chunks missing, storage or the store away, ffmpeg missing, the request cancelled):
            // nothing is remembered, and the next call starts afresh. A no-op once the marker is finished or lost.
            await store.ReleaseCompletionAsync(held, CancellationToken.None);
            throw;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Returns once another call's completion is no longer that call's to keep: finished, released, or older than
    /// the stale limit (its instance died; the next begin takes it over). Bounded by the request: a caller that
    /// gives up cancels the wait, and its next call finds the answer.
    /// </summary>
    private async Task WaitForCompleterAsync(UploadCompletion completion, CancellationToken cancellationToken)
    {
        do
        {
            await Task.Delay(CompletionPoll, time, cancellationToken);
        }
        while (await store.GetCompletionAsync(completion.UploadId, cancellationToken) is { State: CompletionState.Completing } current
            && time.GetUtcNow() - current.StartedAt < options.CompletingStaleAfter);
    }

    /// <summary>The code and message of a failure that is the file's fault, remembered for good; null for any other failure.</summary>
    private static (string Code, string Message)? RefusalOf(Exception exception) => exception switch
    {
        MediaException { IsInputError: true } e => (e.Code, e.Message),
        UploadException e when e.Error == ErrorCatalog.ChunkSizeMismatch => (e.Code, e.Message),
        _ => null,
    };

    private async Task AssembleAsync(UploadSession session, string path, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        for (var i = 0; i < session.TotalChunks; i++)
        {
            await using var chunk = await storage.OpenReadAsync(session.ChunkKey(i), cancellationToken);
            await chunk.CopyToAsync(file, cancellationToken);
        }

        if (file.Length != session.FileSize)
        {
            throw new UploadException(ErrorCatalog.ChunkSizeMismatch, $"The chunks add up to {file.Length} bytes, not {session.FileSize}.");
        }
    }
}
