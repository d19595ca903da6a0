using Mixillo.Jobs.Model;

namespace Mixillo.Tests.Stores;

/// <summary>A stage held for the worker that fetched its source: first claim to it, then to anyone.</summary>
public abstract partial class JobStoreContract
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(5);

    /// <summary>A job fetched by <c>worker_a</c>, its process stage held for it.</summary>
    private async Task<TranscodeJob> FetchedAndHeldAsync()
    {
        await Create();
        var (_, lease) = await Claim("worker_a");
        return await Store.UpdateAsync(lease, (j, now) =>
        {
            j.CompleteStage(now);
            j.HoldFor("worker_a", now + Hold);
        }, None);
    }

    [Fact]
    public async Task A_held_stage_goes_to_its_worker_first_whatever_its_place_and_to_anyone_after_the_hold()
    {
        var held = await FetchedAndHeldAsync();
        Assert.Equal(("worker_a", JobStatus.Queued, JobStage.Process), (held.HeldFor, held.Status, held.Stage));

        // Nobody else takes it while it is held, and a claimer that finds nothing else is told when it will be free.
        var other = await Store.ClaimAsync("worker_b", "host", None);
        Assert.False(other.Claimed);
        Assert.Equal(Hold, other.RetryAfter);
        Assert.False((await Store.ClaimHeldAsync(held.JobId, "worker_b", "host", None)).Claimed);

        // A newer job of higher priority does not stand in the holder's way.
        await Create(priority: 9);
        var claim = await Store.ClaimHeldAsync(held.JobId, "worker_a", "host", None);
        Assert.True(claim.Claimed);
        Assert.Equal((held.JobId, JobStage.Process, "worker_a"), (claim.Job!.JobId, claim.Job.Stage, claim.Job.Worker!.WorkerId));
        Assert.Equal((null, null), (claim.Job.HeldFor, claim.Job.NotBefore));
        Assert.True(claim.Lease!.Token > held.LeaseToken);

        // Once claimed it is not claimed again.
        Assert.False((await Store.ClaimHeldAsync(held.JobId, "worker_a", "host", None)).Claimed);
    }

    [Fact]
    public async Task A_held_stage_its_worker_did_not_take_goes_to_another_and_the_holder_then_gets_nothing()
    {
        var held = await FetchedAndHeldAsync();

        Clock.Advance(Hold);
        var other = await Claim("worker_b");
        Assert.Equal((held.JobId, JobStage.Process), (other.Job.JobId, other.Job.Stage));
        Assert.Null(other.Job.HeldFor);
        Assert.False((await Store.ClaimHeldAsync(held.JobId, "worker_a", "host", None)).Claimed);
    }

    [Fact]
    public async Task A_held_stage_that_was_cancelled_or_deleted_is_not_claimed()
    {
        var cancelled = await FetchedAndHeldAsync();
        await Store.ChangeAsync(cancelled.JobId, (j, now) => j.Cancel(now), None);
        Assert.False((await Store.ClaimHeldAsync(cancelled.JobId, "worker_a", "host", None)).Claimed);
        Assert.False((await Store.ClaimHeldAsync("job_missing", "worker_a", "host", None)).Claimed);
    }
}
