using Mixillo.Jobs.Events;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Store;
using Mixillo.Tests.Support;

namespace Mixillo.Tests.Stores;

/// <summary>What every job store must do, run against SQLite and PostgreSQL alike.</summary>
public abstract partial class JobStoreContract : IAsyncLifetime
{
    private readonly List<IJobStore> _stores = [];

    protected ManualClock Clock { get; } = new();

    protected QueueOptions Options { get; } = new() { StuckAfter = TimeSpan.FromMinutes(5), StartRateLimit = 0 };

    protected IJobStore Store { get; private set; } = null!;

    /// <summary>A store on this test's database (several calls share it, as separate processes would).</summary>
    protected abstract Task<IJobStore> OpenStoreAsync(QueueOptions options, TimeProvider time);

    /// <summary><paramref name="count"/> stores on one new, empty database (nothing set up yet).</summary>
    protected abstract Task<IReadOnlyList<IJobStore>> OpenFreshStoresAsync(int count);

    /// <summary>Runs SQL on this test's database directly, as an older version of the service would have left it.</summary>
    protected abstract Task ExecuteSqlAsync(string sql);

    public virtual async Task InitializeAsync() => Store = await NewStoreAsync(Options);

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    protected async Task<IJobStore> NewStoreAsync(QueueOptions options)
    {
        var store = await OpenStoreAsync(options, Clock);
        await store.InitializeAsync(CancellationToken.None);
        _stores.Add(store);
        return store;
    }

    protected Task<TranscodeJob> Create(int priority = NewJob.DefaultPriority, string user = "user_1") =>
        Store.CreateAsync(JobFactory.New(priority, user), queue: true, CancellationToken.None);

    protected async Task<(TranscodeJob Job, JobLease Lease)> Claim(string worker = "worker_a", IJobStore? store = null)
    {
        var result = await (store ?? Store).ClaimAsync(worker, "host", CancellationToken.None);
        Assert.True(result.Claimed, "nothing was claimable");
        return (result.Job!, result.Lease!);
    }

    protected static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_created_job_is_queued_with_a_task_per_output_and_reads_back_whole()
    {
        var created = await Store.CreateAsync(JobFactory.New(options: new JobOptions { Dash = true, ThumbnailCount = 0 }), queue: true, None);

        var job = await Store.GetAsync(created.JobId, None);
        Assert.NotNull(job);
        Assert.Matches("^job_[0-9]{13}_[a-z0-9]{9}$", job.JobId);
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal(Clock.GetUtcNow(), job.QueuedAt);
        Assert.Equal(["transcode", "hls", "dash", "preview", "audio_extract"], job.Tasks.Select(t => t.TaskId));
        Assert.All(job.Tasks, t => Assert.Equal(JobTaskStatus.Pending, t.Status));
        Assert.Equal(3, job.MaxRetries);
        Assert.Equal(created.SourceFile, job.SourceFile);
        Assert.Null(await Store.GetAsync("job_missing", None));
    }

    [Fact]
    public async Task A_pending_job_is_not_claimed_until_queued()
    {
        var pending = await Store.CreateAsync(JobFactory.New(), queue: false, None);
        Assert.False((await Store.ClaimAsync("w", "h", None)).Claimed);

        await Store.QueueAsync(pending.JobId, None);
        Assert.Equal(pending.JobId, (await Claim()).Job.JobId);
    }

    [Fact]
    public async Task Claims_take_the_highest_priority_first_then_the_oldest()
    {
        var low = await Create(priority: 2);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var highOld = await Create(priority: 9);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var highNew = await Create(priority: 9);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var middle = await Create(priority: 5);

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            order.Add((await Claim()).Job.JobId);
        }

        Assert.Equal([highOld.JobId, highNew.JobId, middle.JobId, low.JobId], order);
        Assert.False((await Store.ClaimAsync("w", "h", None)).Claimed);
    }

    [Fact]
    public async Task A_claim_records_the_worker_and_a_new_fencing_token()
    {
        var created = await Create();
        var (job, lease) = await Claim("worker_host_42");

        Assert.Equal(JobStatus.Processing, job.Status);
        Assert.Equal(new WorkerInfo("worker_host_42", "host", Clock.GetUtcNow(), Clock.GetUtcNow()), job.Worker);
        Assert.Equal(created.JobId, lease.JobId);
        Assert.Equal(1, lease.Token);
        Assert.Equal(JobStatus.Processing, (await Store.GetAsync(job.JobId, None))!.Status);
    }

    [Fact]
    public async Task The_lease_holder_writes_progress_outputs_and_completion()
    {
        await Create();
        var (_, lease) = await Claim();

        await Store.UpdateAsync(lease, (job, now) =>
        {
            job.CompleteTask(JobTaskType.Transcode, "videos/c/720p.mp4", now);
            job.AddOutput(new JobOutput { Quality = "720p", Key = "videos/c/720p.mp4", Width = 720, Height = 1280, SizeBytes = 42 });
            job.ReportProgress(new JobProgress { Overall = 70, CurrentTask = "hls" }, now);
        }, None);
        Clock.Advance(TimeSpan.FromSeconds(30));
        await Store.UpdateAsync(lease, (job, now) => job.Complete(now), None);

        var done = (await Store.GetAsync(lease.JobId, None))!;
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(100, done.Progress.Overall);
        Assert.Equal(JobTaskStatus.Completed, done.Task(JobTaskType.Transcode).Status);
        Assert.Equal("videos/c/720p.mp4", Assert.Single(done.Outputs).Key);
        Assert.Equal(Clock.GetUtcNow(), done.CompletedAt);
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.HeartbeatAsync(lease, None));
    }

    [Fact]
    public async Task Stages_are_claimed_and_acknowledged_one_by_one_by_the_workers_that_take_them()
    {
        var job = await Create();
        JobStage[] fetchers = [JobStage.Fetch, JobStage.Publish];
        JobStage[] processors = [JobStage.Process];
        Assert.False((await Store.ClaimAsync("processor", "h", processors, None)).Claimed);

        var fetch = await Store.ClaimAsync("fetcher", "h", fetchers, None);
        Assert.Equal(JobStage.Fetch, fetch.Job!.Stage);
        var acknowledged = await Store.UpdateAsync(fetch.Lease!, (j, now) => j.CompleteStage(now), None);
        Assert.Equal((JobStatus.Queued, JobStage.Process, null), (acknowledged.Status, acknowledged.Stage, acknowledged.Worker));
        Assert.False((await Store.ClaimAsync("fetcher", "h", fetchers, None)).Claimed);

        var process = await Store.ClaimAsync("processor", "h", processors, None);
        Assert.True(process.Lease!.Token > fetch.Lease!.Token);
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.HeartbeatAsync(fetch.Lease, None));
        await Store.UpdateAsync(process.Lease, (j, now) => j.Fail(JobFactory.Error(retryable: true), now, 0), None);
        Clock.Advance(TimeSpan.FromSeconds(3));
        // A retry resumes at the stage that failed.
        process = await Store.ClaimAsync("processor", "h", processors, None);
        Assert.Equal(JobStage.Process, process.Job!.Stage);
        await Store.UpdateAsync(process.Lease!, (j, now) => j.CompleteStage(now), None);

        var publish = await Store.ClaimAsync("fetcher", "h", fetchers, None);
        var done = await Store.UpdateAsync(publish.Lease!, (j, now) => Assert.True(j.CompleteStage(now)), None);
        Assert.Equal((JobStatus.Completed, JobStage.Publish), (done.Status, done.Stage));
        Assert.Equal(job.CreatedAt, done.CreatedAt);
        Assert.Equal(Clock.GetUtcNow() - TimeSpan.FromSeconds(3), done.StartedAt);
    }

    [Fact]
    public async Task Illegal_transitions_are_refused_and_change_nothing()
    {
        var job = await Create();
        var error = await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.ChangeAsync(job.JobId, (j, now) => j.Complete(now), None));
        Assert.Equal((JobStatus.Queued, JobStatus.Completed), (error.From, error.To));
        Assert.Equal(JobStatus.Queued, (await Store.GetAsync(job.JobId, None))!.Status);

        await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.QueueAsync(job.JobId, None));
        await Assert.ThrowsAsync<JobNotFoundException>(() => Store.QueueAsync("job_missing", None));
    }

    [Fact]
    public async Task A_worker_whose_job_was_taken_over_cannot_overwrite_the_new_attempt()
    {
        await Create();
        var (_, first) = await Claim("worker_a");
        Clock.Advance(Options.StuckAfter + TimeSpan.FromSeconds(1));
        var recovered = Assert.Single(await Store.RecoverStuckAsync(None));
        Assert.Equal(JobStatus.Queued, recovered.Status);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var (_, second) = await Claim("worker_b");
        Assert.True(second.Token > first.Token);

        await Assert.ThrowsAsync<LeaseLostException>(() => Store.UpdateAsync(first, (job, now) => job.Complete(now), None));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.HeartbeatAsync(first, None));
        // Same worker id, old token: still refused.
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.UpdateAsync(first with { WorkerId = "worker_b" }, (job, now) => job.Complete(now), None));

        await Store.UpdateAsync(second, (job, now) => job.Complete(now), None);
        var done = (await Store.GetAsync(second.JobId, None))!;
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal("worker_b", done.Worker!.WorkerId);
    }

    [Fact]
    public async Task Retryable_failures_back_off_exponentially_until_retries_run_out()
    {
        var job = await Create();
        var delays = new List<TimeSpan>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (_, lease) = await Claim();
            var failed = await Store.UpdateAsync(lease, (j, now) => j.Fail(JobFactory.Error(retryable: true), now, jitter: 0), None);
            Assert.Equal(JobStatus.Queued, failed.Status);
            delays.Add(failed.NotBefore!.Value - Clock.GetUtcNow());

            // Not claimable while it backs off; the claim says when to come back.
            var early = await Store.ClaimAsync("w", "h", None);
            Assert.False(early.Claimed);
            Assert.Equal(delays[^1], early.RetryAfter);
            Clock.Advance(delays[^1]);
        }

        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)], delays);
        var (_, last) = await Claim();
        var final = await Store.UpdateAsync(last, (j, now) => j.Fail(JobFactory.Error(retryable: true), now, jitter: 0), None);
        Assert.Equal(JobStatus.Failed, final.Status);
        Assert.Equal(3, final.RetryCount);
        Assert.Equal(4, final.Errors.Count);
        Assert.Equal(job.JobId, final.JobId);
    }

    [Fact]
    public async Task Invalid_input_fails_at_once_without_retry()
    {
        await Create();
        var (_, lease) = await Claim();
        var failed = await Store.UpdateAsync(lease, (j, now) => j.Fail(JobFactory.Error(retryable: false, "input_malformed"), now, 0.5), None);

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(0, failed.RetryCount);
        Assert.Equal("input_malformed", Assert.Single(failed.Errors).Code);
    }

    [Fact]
    public async Task Cancel_stops_a_waiting_job_at_once_and_asks_a_running_one_at_its_heartbeat()
    {
        var waiting = await Create();
        Assert.Equal(JobStatus.Cancelled, (await Store.ChangeAsync(waiting.JobId, (j, now) => j.Cancel(now), None)).Status);

        await Create();
        var (running, lease) = await Claim();
        Assert.False(await Store.HeartbeatAsync(lease, None));
        var requested = await Store.ChangeAsync(running.JobId, (j, now) => j.Cancel(now), None);
        Assert.Equal(JobStatus.Processing, requested.Status);
        Assert.True(requested.CancelRequested);

        Assert.True(await Store.HeartbeatAsync(lease, None));
        await Store.UpdateAsync(lease, (j, now) => j.Cancelled(now), None);
        Assert.Equal(JobStatus.Cancelled, (await Store.GetAsync(running.JobId, None))!.Status);

        await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.ChangeAsync(running.JobId, (j, now) => j.Cancel(now), None));
    }

    [Fact]
    public async Task A_released_job_goes_back_to_the_queue_unharmed()
    {
        await Create();
        var (_, lease) = await Claim();
        var released = await Store.UpdateAsync(lease, (j, now) => j.Release(now), None);

        Assert.Equal(JobStatus.Queued, released.Status);
        Assert.Equal(0, released.RetryCount);
        Assert.Empty(released.Errors);
        Assert.Null(released.Worker);
        Assert.Equal(released.JobId, (await Claim("worker_b")).Job.JobId);
    }

    [Fact]
    public async Task Stuck_jobs_are_requeued_with_an_error_until_retries_run_out()
    {
        var job = await Create();
        for (var attempt = 0; attempt <= Options.MaxRetries; attempt++)
        {
            var (_, lease) = await Claim();
            Clock.Advance(TimeSpan.FromMinutes(4));
            await Store.HeartbeatAsync(lease, None);
            Assert.Empty(await Store.StuckAsync(None));
            Clock.Advance(TimeSpan.FromMinutes(5.5));
            Assert.Equal(job.JobId, Assert.Single(await Store.StuckAsync(None)).JobId);
            var recovered = Assert.Single(await Store.RecoverStuckAsync(None));
            Assert.Equal("worker_lost", recovered.Errors[^1].Code);
            Clock.Advance(TimeSpan.FromMinutes(2));
        }

        var final = (await Store.GetAsync(job.JobId, None))!;
        Assert.Equal(JobStatus.Failed, final.Status);
        Assert.Equal(Options.MaxRetries + 1, final.Errors.Count);
        Assert.Empty(await Store.RecoverStuckAsync(None));
    }

    [Fact]
    public async Task An_operator_retry_requeues_a_failed_job_with_its_failed_tasks_reset()
    {
        await Create(priority: 3);
        var (_, lease) = await Claim();
        await Store.UpdateAsync(lease, (j, now) =>
        {
            j.FailTask(JobTaskType.Hls, "muxer failed", now);
            j.CompleteTask(JobTaskType.Transcode, null, now);
            j.Fail(JobFactory.Error(retryable: false), now, 0);
        }, None);

        var retried = await Store.ChangeAsync(lease.JobId, (j, now) => j.Retry(now, 7), None);
        Assert.Equal(JobStatus.Queued, retried.Status);
        Assert.Equal(7, retried.Priority);
        Assert.Equal(1, retried.RetryCount);
        Assert.Equal(JobTaskStatus.Pending, retried.Task(JobTaskType.Hls).Status);
        Assert.Equal(JobTaskStatus.Completed, retried.Task(JobTaskType.Transcode).Status);
        Assert.Null(retried.CompletedAt);

        await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.ChangeAsync(lease.JobId, (j, now) => j.Retry(now, 7), None));
    }

    [Fact]
    public async Task An_operator_retry_beyond_max_retries_is_refused()
    {
        await Create();
        for (var i = 0; i <= Options.MaxRetries; i++)
        {
            var (_, lease) = await Claim();
            await Store.UpdateAsync(lease, (j, now) => j.Fail(JobFactory.Error(retryable: false), now, 0), None);
            if (i < Options.MaxRetries)
            {
                await Store.ChangeAsync(lease.JobId, (j, now) => j.Retry(now, 7), None);
            }
            else
            {
                await Assert.ThrowsAsync<RetriesExhaustedException>(() => Store.ChangeAsync(lease.JobId, (j, now) => j.Retry(now, 7), None));
            }
        }
    }

    [Fact]
    public async Task Counts_tell_waiting_delayed_active_and_finished_apart()
    {
        await Store.CreateAsync(JobFactory.New(), queue: false, None);
        for (var i = 0; i < 5; i++)
        {
            await Create();
        }

        var (_, failing) = await Claim();
        await Store.UpdateAsync(failing, (j, now) => j.Fail(JobFactory.Error(retryable: true), now, 0), None);
        var (_, completing) = await Claim();
        await Store.UpdateAsync(completing, (j, now) => j.Complete(now), None);
        var (_, dying) = await Claim();
        await Store.UpdateAsync(dying, (j, now) => j.Fail(JobFactory.Error(retryable: false), now, 0), None);
        await Claim();

        Assert.Equal(new QueueCounts(Pending: 1, Waiting: 1, Delayed: 1, Active: 1, Completed: 1, Failed: 1, Cancelled: 0), await Store.CountAsync(None));
        Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(2, (await Store.CountAsync(None)).Waiting);
    }

    [Fact]
    public async Task Stats_cover_the_last_hours_by_status_with_processing_times_costs_and_success_rate()
    {
        // Lowest priority, so it is still waiting when the newer jobs have all been claimed.
        await Create(priority: 1);
        Clock.Advance(TimeSpan.FromHours(30));
        for (var i = 0; i < 4; i++)
        {
            await Create();
        }

        foreach (var (seconds, complete) in new[] { (10, true), (20, true), (40, true), (5, false) })
        {
            var (_, lease) = await Claim();
            Clock.Advance(TimeSpan.FromSeconds(seconds));
            await Store.UpdateAsync(lease, (j, now) =>
            {
                if (complete)
                {
                    j.ActualCost = new JobCost(seconds / 100m, 0.001m, 0);
                    j.Complete(now);
                }
                else
                {
                    j.Fail(JobFactory.Error(retryable: false), now, 0);
                }
            }, None);
        }

        var stats = await Store.StatsAsync(24, None);
        Assert.Equal((3, 1), (stats.Count(JobStatus.Completed), stats.Count(JobStatus.Failed)));
        Assert.Equal(0.75, stats.SuccessRate);
        var completed = stats.ByStatus.Single(s => s.Status == JobStatus.Completed);
        Assert.Equal((3, 10.0, 40.0), (completed.Count, completed.MinTime!.Value.TotalSeconds, completed.MaxTime!.Value.TotalSeconds));
        Assert.Equal(70 / 3.0, completed.AverageTime!.Value.TotalSeconds, precision: 3);
        Assert.Equal(0.703, (double)completed.TotalCost, precision: 6);
        var failed = stats.ByStatus.Single(s => s.Status == JobStatus.Failed);
        Assert.Equal((0m, 5.0), (failed.TotalCost, failed.MaxTime!.Value.TotalSeconds));
        Assert.DoesNotContain(stats.ByStatus, s => s.Status == JobStatus.Queued);
        Assert.Equal(1, (await Store.StatsAsync(48, None)).ByStatus.Single(s => s.Status == JobStatus.Queued).Count);
        Assert.Null((await Store.StatsAsync(0.001, None)).SuccessRate);
    }

    [Fact]
    public async Task Cleaning_takes_only_failed_and_cancelled_jobs_older_than_the_cutoff_never_completed_ones()
    {
        var old = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await Create();
            var (_, lease) = await Claim();
            await Store.UpdateAsync(lease, (j, now) => { if (i == 0) { j.Complete(now); } else { j.Fail(JobFactory.Error(false), now, 0); } }, None);
            old.Add(lease.JobId);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var cancelled = await Create();
        await Store.ChangeAsync(cancelled.JobId, (j, now) => j.Cancel(now), None);
        var oldQueued = await Create();
        Clock.Advance(TimeSpan.FromDays(31));
        await Create(priority: 9);
        var (_, recent) = await Claim();
        await Store.UpdateAsync(recent, (j, now) => j.Fail(JobFactory.Error(false), now, 0), None);
        var cutoff = Clock.GetUtcNow() - TimeSpan.FromDays(30);

        var cleanable = await Store.CleanableAsync(cutoff, 10, None);
        Assert.Equal([old[1], old[2], cancelled.JobId], cleanable.Select(j => j.JobId));
        Assert.Equal([old[1]], (await Store.CleanableAsync(cutoff, 1, None)).Select(j => j.JobId));

        // An operator's retry between the listing and the delete keeps that job.
        await Store.ChangeAsync(old[2], (j, now) => j.Retry(now, 7), None);
        Assert.Equal(2, await Store.DeleteCleanableAsync([.. cleanable.Select(j => j.JobId), old[0], oldQueued.JobId, recent.JobId], cutoff, None));

        Assert.Null(await Store.GetAsync(old[1], None));
        Assert.Null(await Store.GetAsync(cancelled.JobId, None));
        foreach (var kept in new[] { old[0], old[2], oldQueued.JobId, recent.JobId })
        {
            Assert.NotNull(await Store.GetAsync(kept, None));
        }

        Assert.Empty(await Store.CleanableAsync(cutoff, 10, None));
        Assert.Equal(0, await Store.DeleteCleanableAsync([], cutoff, None));
    }

    [Fact]
    public async Task A_content_has_one_job_even_when_creates_race()
    {
        var first = await Create();
        var ex = await Assert.ThrowsAsync<ContentExistsException>(() => Store.CreateAsync(JobFactory.New(user: "user_2") with { ContentId = first.ContentId }, queue: true, None));
        Assert.Equal(first.ContentId, ex.ContentId);
        Assert.Equal(first.JobId, (await Store.GetByContentAsync(first.ContentId, None))?.JobId);
        Assert.Null(await Store.GetByContentAsync("content_none", None));

        // Several processes creating one content at once: one job, every other create refused.
        var contentId = "content_" + Guid.NewGuid().ToString("N")[..8];
        var stores = new List<IJobStore>();
        for (var i = 0; i < 4; i++)
        {
            stores.Add(await NewStoreAsync(Options));
        }

        var creates = stores.Select(store => Task.Run(async () =>
        {
            try
            {
                return await store.CreateAsync(JobFactory.New() with { ContentId = contentId }, queue: true, None);
            }
            catch (ContentExistsException)
            {
                return null;
            }
        })).ToList();
        var created = Assert.Single((await Task.WhenAll(creates)).OfType<TranscodeJob>());
        Assert.Equal(created.JobId, Assert.Single((await Store.ListAsync(new JobQuery { ContentId = contentId }, None)).Jobs).JobId);
    }

    [Fact]
    public async Task A_waiting_job_knows_its_position_and_estimated_start()
    {
        var first = await Create(priority: 5);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Create(priority: 5);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var urgent = await Create(priority: 9);

        Assert.Equal(1, (await Store.PositionAsync(urgent.JobId, None)).Position);
        Assert.Equal(2, (await Store.PositionAsync(first.JobId, None)).Position);
        var last = await Store.PositionAsync(second.JobId, None);
        Assert.Equal(3, last.Position);
        // No history yet: 60 s a job, one slot; two jobs ahead.
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromSeconds(120), last.EstimatedStart);

        var (_, lease) = await Claim();
        Assert.Equal(new QueuePosition(urgent.JobId, JobStatus.Processing, null, null), await Store.PositionAsync(urgent.JobId, None));
        Clock.Advance(TimeSpan.FromSeconds(10));
        await Store.UpdateAsync(lease, (j, now) => j.Complete(now), None);
        var after = await Store.PositionAsync(second.JobId, None);
        Assert.Equal(2, after.Position);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromSeconds(10), after.EstimatedStart);
        await Assert.ThrowsAsync<JobNotFoundException>(() => Store.PositionAsync("job_missing", None));
    }

    [Fact]
    public async Task Lists_filter_sort_and_page_with_a_total()
    {
        var mine = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            mine.Add((await Create(priority: i + 1, user: "alice")).JobId);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await Create(user: "bob");
        var (_, lease) = await Claim();

        var page = await Store.ListAsync(new JobQuery { UserId = "alice", Limit = 2, Skip = 1 }, None);
        Assert.Equal(5, page.Total);
        Assert.Equal([mine[3], mine[2]], page.Jobs.Select(j => j.JobId));

        var byPriority = await Store.ListAsync(new JobQuery { SortBy = JobSort.Priority, Descending = false, Limit = 100 }, None);
        Assert.Equal(6, byPriority.Total);
        Assert.Equal(mine[0], byPriority.Jobs[0].JobId);

        var byContent = await Store.ListAsync(new JobQuery { ContentId = byPriority.Jobs[0].ContentId }, None);
        Assert.Equal(mine[0], Assert.Single(byContent.Jobs).JobId);

        var processing = await Store.ListAsync(new JobQuery { Status = JobStatus.Processing }, None);
        Assert.Equal(lease.JobId, Assert.Single(processing.Jobs).JobId);
        Assert.Equal(0, (await Store.ListAsync(new JobQuery { Status = JobStatus.Failed, UserId = "alice" }, None)).Total);
        Assert.Equal(6, (await Store.ListAsync(new JobQuery { Limit = 10_000, Skip = -3 }, None)).Jobs.Count);
    }

    [Fact]
    public async Task Cursors_walk_every_order_like_skip_does_and_ignore_jobs_added_behind_them()
    {
        // Ties in every sort column (same millisecond, same priority, same status), and unfinished jobs
        // among finished ones for the nullable completedAt.
        for (var i = 0; i < 9; i++)
        {
            await Create(priority: 1 + (i % 3), user: "carol");
            if (i % 2 == 1)
            {
                Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        for (var i = 0; i < 4; i++)
        {
            var (_, lease) = await Claim();
            await Store.UpdateAsync(lease, (j, now) => j.Complete(now), None);
            Clock.Advance(TimeSpan.FromMilliseconds(i % 2));
        }

        foreach (var sort in Enum.GetValues<JobSort>())
        {
            foreach (var descending in new[] { true, false })
            {
                var query = new JobQuery { UserId = "carol", SortBy = sort, Descending = descending, Limit = 2 };
                var whole = (await Store.ListAsync(query with { Limit = 100 }, None)).Jobs.Select(j => j.JobId).ToList();
                var walked = new List<string>();
                JobCursor? after = null;
                do
                {
                    var page = await Store.ListAsync(query with { After = after }, None);
                    walked.AddRange(page.Jobs.Select(j => j.JobId));
                    Assert.Equal(after is null ? 9 : null, page.Total);
                    after = page.Next;
                }
                while (after is not null);

                Assert.True(whole.SequenceEqual(walked), $"{sort} {(descending ? "desc" : "asc")}: [{string.Join(", ", walked)}] is not [{string.Join(", ", whole)}]");
            }
        }

        var newest = await Store.ListAsync(new JobQuery { UserId = "carol", Limit = 3 }, None);
        await Create(user: "carol");
        var rest = await Store.ListAsync(new JobQuery { UserId = "carol", Limit = 100, After = newest.Next }, None);
        Assert.Equal(6, rest.Jobs.Count);
        Assert.Empty(rest.Jobs.Select(j => j.JobId).Intersect(newest.Jobs.Select(j => j.JobId)));
        Assert.Null(rest.Next);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListAsync(new JobQuery { SortBy = JobSort.Priority, After = newest.Next }, None));
    }

    [Fact]
    public async Task The_start_rate_limit_holds_across_claimers()
    {
        var limited = await NewStoreAsync(new QueueOptions { StartRateLimit = 2 });
        var other = await NewStoreAsync(new QueueOptions { StartRateLimit = 2 });
        for (var i = 0; i < 4; i++)
        {
            await Create();
        }

        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True((await limited.ClaimAsync("a", "h", None)).Claimed);
        Assert.True((await other.ClaimAsync("b", "h", None)).Claimed);
        var refused = await limited.ClaimAsync("a", "h", None);
        Assert.False(refused.Claimed);
        Assert.Equal(TimeSpan.FromSeconds(0.5), refused.RetryAfter);

        Clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True((await other.ClaimAsync("b", "h", None)).Claimed);
        Assert.False((await limited.ClaimAsync("a", "h", None)).Claimed);
        Assert.Equal(1, (await Store.CountAsync(None)).Waiting);
    }

    [Fact]
    public async Task The_start_rate_limit_counts_job_starts_not_later_stages()
    {
        var limited = await NewStoreAsync(new QueueOptions { StartRateLimit = 1 });
        await Create();
        await Create();
        Clock.Advance(TimeSpan.FromSeconds(10));
        var fetch = await limited.ClaimAsync("a", "h", None);
        await limited.UpdateAsync(fetch.Lease!, (j, now) => j.CompleteStage(now), None);

        // The same instant: the started job's next stage goes ahead; a new job must wait for a token.
        var process = await limited.ClaimAsync("a", "h", [JobStage.Process], None);
        Assert.Equal(fetch.Job!.JobId, process.Job?.JobId);
        Assert.False((await limited.ClaimAsync("a", "h", [JobStage.Fetch], None)).Claimed);
    }

    [Fact]
    public async Task Instances_starting_together_set_the_schema_up_once_without_errors()
    {
        var stores = await OpenFreshStoresAsync(4);
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(None))));
            await stores[1].CreateAsync(JobFactory.New(), queue: true, None);
            Assert.Equal(1, (await stores[0].CountAsync(None)).Waiting);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Jobs_stored_by_schema_3_keep_their_progress_and_cost_after_the_migration()
    {
        await Create();
        var (job, lease) = await Claim();
        await Store.UpdateAsync(lease, (j, now) =>
        {
            j.ReportProgress(new JobProgress { Overall = 100, CurrentTask = "audio_extract" }, now);
            j.ActualCost = new JobCost(0.25m, 0.5m, 0.125m);
            j.Complete(now);
        }, None);

        // What schema 3 stored: "percentage", no cost column, and none of the later tables.
        await ExecuteSqlAsync("""
            UPDATE transcode_jobs SET document = replace(document, '"overall":', '"percentage":');
            ALTER TABLE transcode_jobs DROP COLUMN total_cost;
            DROP TABLE upload_completions;
            DROP TABLE job_events;
            DROP TABLE webhook_endpoints;
            DROP TABLE webhook_deliveries;
            DROP TABLE webhook_cursor;
            DELETE FROM schema_version WHERE version > 3;
            """);
        await NewStoreAsync(Options);

        Assert.Equal(100, (await Store.GetAsync(job.JobId, None))!.Progress.Overall);
        Assert.Equal(0.875m, (await Store.StatsAsync(1, None)).ByStatus.Single(s => s.Status == JobStatus.Completed).TotalCost);
    }

    [Fact]
    public async Task Events_stored_by_schema_9_keep_their_ids_as_positions_after_the_migration()
    {
        var events = (IJobEvents)Store;
        await Create();
        await Create();
        var before = await events.EventsAsync(new EventQuery(0), None);

        // What schema 9 stored: events with ids, and no positions.
        await ExecuteSqlAsync("""
            DROP INDEX ix_events_position;
            DROP INDEX ix_events_content_position;
            DROP INDEX ix_events_unnumbered;
            ALTER TABLE job_events DROP COLUMN position;
            DELETE FROM schema_version WHERE version > 9;
            """);
        await NewStoreAsync(Options);

        Assert.Equal(before.Select(e => e.Id), (await events.EventsAsync(new EventQuery(0), None)).Select(e => e.Id));
        await Create();
        Assert.Equal(before[^1].Id + 1, await events.LastEventIdAsync(null, None));
    }

    /// <param name="patient">Sorting before and after the bursty user: the claim looks for other users on both sides.</param>
    [Theory]
    [InlineData("aaron")]
    [InlineData("patient")]
    public async Task A_users_burst_waits_behind_another_users_first_job_once_they_run_their_share(string patient)
    {
        var burst = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            burst.Add((await Create(user: "bursty")).JobId);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var other = (await Create(user: patient)).JobId;

        // Bursty runs its share (2), then the patient user's one job goes next, then bursty's again: nobody else waits.
        Assert.Equal([burst[0], burst[1], other, burst[2], burst[3]], [(await Claim()).Job.JobId, (await Claim()).Job.JobId, (await Claim()).Job.JobId, (await Claim()).Job.JobId, (await Claim()).Job.JobId]);
    }

    [Fact]
    public async Task Priority_goes_before_fair_share()
    {
        await Create(user: "bursty");
        await Create(user: "bursty");
        await Claim();
        await Claim();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var urgent = await Create(priority: 9, user: "bursty");
        var other = await Create(priority: 5, user: "patient");

        Assert.Equal(urgent.JobId, (await Claim()).Job.JobId);
        Assert.Equal(other.JobId, (await Claim()).Job.JobId);
    }

    [Fact]
    public async Task A_users_active_jobs_are_those_not_finished()
    {
        await Create(user: "counted");
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Create(user: "counted");
        await Create(user: "someone_else");
        var (_, lease) = await Claim();
        Assert.Equal(2, await Store.CountActiveAsync("counted", None));
        await Store.UpdateAsync(lease, (j, now) => j.Complete(now), None);
        Assert.Equal(1, await Store.CountActiveAsync("counted", None));
        Assert.Equal(0, await Store.CountActiveAsync("nobody", None));
    }

    [Fact]
    public async Task Events_are_written_with_their_changes_in_order_and_read_by_position_content_and_type()
    {
        var events = (IJobEvents)Store;
        var first = await Create(user: "u1");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Create(user: "u2");
        var (_, lease) = await Claim();
        await Store.UpdateAsync(lease, (j, now) => j.Complete(now), None);

        var all = await events.EventsAsync(new EventQuery(0), None);
        Assert.Equal([JobEventTypes.Queued, JobEventTypes.Queued, JobEventTypes.Started, JobEventTypes.Stage, JobEventTypes.Completed], all.Select(e => e.Type));
        Assert.Equal([first.JobId, second.JobId, first.JobId, first.JobId, first.JobId], all.Select(e => e.JobId));
        Assert.True(all.Zip(all.Skip(1)).All(pair => pair.First.Id < pair.Second.Id));
        Assert.Equal("u1", all[0].UserId);
        Assert.Equal(first.ContentId, all[0].ContentId);
        Assert.Equal(Clock.GetUtcNow().ToUnixTimeMilliseconds(), all[^1].Time.ToUnixTimeMilliseconds());
        Assert.Equal("worker_a", all[2].Data["workerId"]!.GetValue<string>());

        Assert.Equal(4, (await events.EventsAsync(new EventQuery(0, first.ContentId), None)).Count);
        Assert.Equal([all[^1].Id], (await events.EventsAsync(new EventQuery(0, Types: [JobEventTypes.Completed]), None)).Select(e => e.Id));
        Assert.Equal(all.Skip(3).Select(e => e.Id), (await events.EventsAsync(new EventQuery(all[2].Id), None)).Select(e => e.Id));
        Assert.Equal(all.Take(2).Select(e => e.Id), (await events.EventsAsync(new EventQuery(0, Limit: 2), None)).Select(e => e.Id));
        Assert.Equal(all[^1].Id, await events.LastEventIdAsync(null, None));
        Assert.Equal(all[1].Id, await events.LastEventIdAsync(second.ContentId, None));
        Assert.Equal(0, await events.LastEventIdAsync("content_none", None));
    }

    [Fact]
    public async Task A_change_that_does_not_commit_leaves_no_event_and_old_events_go_by_time()
    {
        var events = (IJobEvents)Store;
        var job = await Create();
        var last = await events.LastEventIdAsync(null, None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.ChangeAsync(job.JobId, (j, now) =>
        {
            j.Cancel(now);
            throw new InvalidOperationException("changed my mind");
        }, None));
        Assert.Equal(last, await events.LastEventIdAsync(null, None));
        Assert.Equal(JobStatus.Queued, (await Store.GetAsync(job.JobId, None))!.Status);

        Clock.Advance(TimeSpan.FromHours(2));
        await Create(user: "later");
        Assert.Equal(1, await events.DeleteEventsAsync(Clock.GetUtcNow() - TimeSpan.FromHours(1), None));
        Assert.Equal(["later"], (await events.EventsAsync(new EventQuery(0), None)).Select(e => e.UserId));

        // The newest event outlives its age, so positions never restart below one a client resumes from.
        var newest = await events.LastEventIdAsync(null, None);
        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await events.DeleteEventsAsync(Clock.GetUtcNow(), None));
        await Create(user: "latest");
        Assert.Equal(["latest"], (await events.EventsAsync(new EventQuery(newest), None)).Select(e => e.UserId));
    }

    [Fact]
    public async Task A_reader_is_woken_when_events_commit()
    {
        var events = (IJobEvents)Store;
        var committed = events.WhenEventsCommitted();
        Assert.False(committed.IsCompleted);
        await Create();
        await committed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Schema_setup_is_idempotent()
    {
        await Create();
        await Store.InitializeAsync(None);
        var again = await NewStoreAsync(Options);
        await again.InitializeAsync(None);
        Assert.Equal(1, (await again.CountAsync(None)).Waiting);
    }

    [Fact]
    public async Task An_idle_claimer_wakes_as_soon_as_work_is_queued()
    {
        var waiter = await NewStoreAsync(Options);
        // Use up wake-ups left from start-up (a listener announces itself once it listens): a wait that
        // runs its full time means none are left.
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromMilliseconds(250))
        {
            quiet.Restart();
            await waiter.WaitForWorkAsync(TimeSpan.FromMilliseconds(300), None);
        }

        var clockToWake = System.Diagnostics.Stopwatch.StartNew();
        var waiting = waiter.WaitForWorkAsync(TimeSpan.FromSeconds(20), None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await Create();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(clockToWake.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True((await waiter.ClaimAsync("w", "h", None)).Claimed);
    }

    [Fact]
    public async Task Eight_concurrent_claimers_over_500_jobs_claim_each_exactly_once()
    {
        const int jobs = 500;
        for (var i = 0; i < jobs; i++)
        {
            await Store.CreateAsync(JobFactory.New(priority: (i % 10) + 1), queue: true, None);
        }

        var stores = new List<IJobStore>();
        for (var i = 0; i < 8; i++)
        {
            stores.Add(await NewStoreAsync(Options));
        }

        // Every claimer is running and parked at the gate before any claims, so they contend from the first job.
        var ready = new CountdownEvent(stores.Count);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = stores.Select((store, i) => Task.Run(async () =>
        {
            ready.Signal();
            await gate.Task;
            var mine = new List<string>();
            while ((await store.ClaimAsync($"worker_{i}", "host", None)) is { Claimed: true } claim)
            {
                mine.Add(claim.Job!.JobId);
                await store.UpdateAsync(claim.Lease!, (j, now) => j.Complete(now), None);
                // A worker does its job between claims. SQLite calls complete synchronously, so without this a
                // claimer on the only free pool thread would never let the others run.
                await Task.Yield();
            }

            return mine;
        })).ToList();
        Assert.True(ready.Wait(TimeSpan.FromSeconds(30)), "the claimers did not all start");
        gate.SetResult();
        var claims = await Task.WhenAll(running);

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(jobs, all.Count);
        Assert.Equal(jobs, all.Distinct().Count());
        Assert.Equal(jobs, (await Store.CountAsync(None)).Completed);
        Assert.True(claims.Count(c => c.Count > 0) > 1, $"only one claimer ever got a job: {string.Join(",", claims.Select(c => c.Count))}");
    }
}
