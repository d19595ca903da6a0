using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;

namespace Mixillo.Tests.Stores;

/// <summary>The single-flight marker of an upload's completion, on every store.</summary>
public abstract partial class JobStoreContract
{
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task The_first_begin_of_a_completion_holds_it_and_a_second_finds_it_completing()
    {
        var first = await Store.BeginCompletionAsync("up_1", "a", Stale, None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Store.BeginCompletionAsync("up_1", "b", Stale, None);

        Assert.True(first.IsHeldBy("a"));
        Assert.Equal(CompletionState.Completing, second.State);
        Assert.Equal("a", second.Completer);
        Assert.False(second.IsHeldBy("b"));
        Assert.Equal(first.StartedAt, second.StartedAt);
        Assert.Equal(second, await Store.GetCompletionAsync("up_1", None));
        Assert.Null(await Store.GetCompletionAsync("up_2", None));
    }

    [Fact]
    public async Task Finishing_a_completion_queues_its_job_and_every_later_begin_answers_with_it()
    {
        var held = await Store.BeginCompletionAsync("up_1", "a", Stale, None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var job = await Store.FinishCompletionAsync(held, JobFactory.New(), None);

        var later = await Store.BeginCompletionAsync("up_1", "b", Stale, None);
        Assert.Equal(CompletionState.Completed, later.State);
        Assert.Equal((job.ContentId, job.JobId), (later.ContentId, later.JobId));
        Assert.Equal(Clock.GetUtcNow(), later.FinishedAt);
        Assert.Equal(JobStatus.Queued, (await Store.GetAsync(job.JobId, None))!.Status);
        Assert.Equal(later, await Store.GetCompletionAsync("up_1", None));

        await Assert.ThrowsAsync<CompletionLostException>(() => Store.FinishCompletionAsync(held, JobFactory.New(), None));
        Assert.Equal(1, (await Store.CountAsync(None)).Total);
    }

    [Fact]
    public async Task A_rejection_is_remembered_with_its_code_and_message_and_never_goes_stale()
    {
        var held = await Store.BeginCompletionAsync("up_1", "a", Stale, None);
        var rejected = await Store.RejectCompletionAsync(held, "input_not_video", "The file has no video stream.", None);
        Clock.Advance(Stale * 2);

        var later = await Store.BeginCompletionAsync("up_1", "b", Stale, None);
        Assert.Equal(CompletionState.Rejected, later.State);
        Assert.Equal(("a", "input_not_video", "The file has no video stream."), (later.Completer, later.Code, later.Message));
        Assert.Equal(rejected, later);
        await Assert.ThrowsAsync<CompletionLostException>(() => Store.FinishCompletionAsync(held, JobFactory.New(), None));
        await Store.ReleaseCompletionAsync(held, None);
        Assert.Equal(CompletionState.Rejected, (await Store.GetCompletionAsync("up_1", None))!.State);
        Assert.Equal(0, (await Store.CountAsync(None)).Total);
    }

    [Fact]
    public async Task A_stale_completion_is_taken_over_and_its_first_completer_can_no_longer_write_it()
    {
        var first = await Store.BeginCompletionAsync("up_1", "a", Stale, None);
        Clock.Advance(Stale - TimeSpan.FromSeconds(1));
        Assert.Equal("a", (await Store.BeginCompletionAsync("up_1", "b", Stale, None)).Completer);

        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Store.BeginCompletionAsync("up_1", "b", Stale, None);
        Assert.True(second.IsHeldBy("b"));
        Assert.Equal(Clock.GetUtcNow(), second.StartedAt);
        // The stale limit counts again from the takeover.
        Assert.Equal("b", (await Store.BeginCompletionAsync("up_1", "c", Stale, None)).Completer);

        await Assert.ThrowsAsync<CompletionLostException>(() => Store.FinishCompletionAsync(first, JobFactory.New(), None));
        await Assert.ThrowsAsync<CompletionLostException>(() => Store.RejectCompletionAsync(first, "input_not_video", "No video.", None));
        await Store.ReleaseCompletionAsync(first, None);
        Assert.Equal(0, (await Store.CountAsync(None)).Total);

        var job = await Store.FinishCompletionAsync(second, JobFactory.New(), None);
        Assert.Equal(job.JobId, (await Store.GetCompletionAsync("up_1", None))!.JobId);
        Assert.Equal(1, (await Store.CountAsync(None)).Total);
    }

    [Fact]
    public async Task A_released_completion_is_begun_afresh_and_only_its_holder_releases_it()
    {
        var held = await Store.BeginCompletionAsync("up_1", "a", Stale, None);
        await Store.ReleaseCompletionAsync(held with { Completer = "b" }, None);
        Assert.True((await Store.GetCompletionAsync("up_1", None))!.IsHeldBy("a"));

        await Store.ReleaseCompletionAsync(held, None);
        Assert.Null(await Store.GetCompletionAsync("up_1", None));
        Assert.True((await Store.BeginCompletionAsync("up_1", "b", Stale, None)).IsHeldBy("b"));
    }

    [Fact]
    public async Task A_forgotten_completion_is_gone_whatever_its_state()
    {
        await Store.FinishCompletionAsync(await Store.BeginCompletionAsync("up_1", "a", Stale, None), JobFactory.New(), None);
        await Store.BeginCompletionAsync("up_2", "a", Stale, None);

        await Store.ForgetCompletionAsync("up_1", None);
        await Store.ForgetCompletionAsync("up_2", None);
        Assert.Null(await Store.GetCompletionAsync("up_1", None));
        Assert.Null(await Store.GetCompletionAsync("up_2", None));
    }

    [Fact]
    public async Task Of_eight_instances_beginning_or_taking_over_one_completion_at_once_exactly_one_holds_it()
    {
        var stores = new List<IJobStore>();
        for (var i = 0; i < 8; i++)
        {
            stores.Add(await NewStoreAsync(Options));
        }

        async Task<int> HoldersAsync(string round)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var begins = stores.Select((store, i) => Task.Run(async () =>
            {
                await gate.Task;
                return (await store.BeginCompletionAsync("up_1", $"{round}{i}", Stale, None)).IsHeldBy($"{round}{i}");
            })).ToList();
            gate.SetResult();
            return (await Task.WhenAll(begins)).Count(held => held);
        }

        Assert.Equal(1, await HoldersAsync("first"));
        Clock.Advance(Stale);
        Assert.Equal(1, await HoldersAsync("takeover"));
        Assert.StartsWith("takeover", (await Store.GetCompletionAsync("up_1", None))!.Completer, StringComparison.Ordinal);
    }
}
