using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mixillo.Errors;
using Mixillo.Jobs.Model;
using Mixillo.Jobs.Pipeline;
using Mixillo.Jobs.Storage;
using Mixillo.Jobs.Store;
using Mixillo.Media.Encoding;
using Mixillo.Media.Probing;
using Mixillo.Media.Running;
using Mixillo.Media;
using Mixillo.TestServers;
using Mixillo.Worker.Core;
using Npgsql;

namespace Mixillo.Benchmarks;

/// <summary>
/// <c>worker</c>: jobs per minute of the distributed configuration, and what a worker process costs in memory.
/// A throwaway PostgreSQL and the filesystem storage on loopback; 1, then 2, real <c>Mixillo.Worker</c>
/// processes (concurrency 1 each) drain N jobs of one synthetic clip with the product's default job options.
/// Wall time runs from the first enqueue to the last job's completion; each worker's own VmRSS (not its ffmpeg
/// children) is sampled every 200 ms meanwhile. Every configuration gets a fresh schema and storage folder.
/// With <c>--otlp URL</c> the workers export their telemetry there (OTLP/gRPC); without it they collect none. With
/// <c>--storage s3</c> storage is a throwaway Ceph S3 gateway instead. Per job it also counts the bytes read from
/// storage (the job's own usage) and the ffprobe runs on the source (through a wrapper that logs each run).
/// </summary>
internal static class WorkerBenchmark
{
    public const string Synopsis = "worker [--jobs 16] [--preset medium] [--storage filesystem|s3] [--otlp URL]";

    private const double TargetRssMb = 150;
    private const string ClipSize = "720x1280";
    private const double ClipFps = 30;
    private const double ClipSeconds = 5;
    private const string StartedMarker = " started: ";
    private static readonly int[] WorkerCounts = [1, 2];
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);
    // Beyond the worker's default ShutdownGrace (30 s) plus the host's 15 s to release: a cancelled run waits for a clean stop.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(50);

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (Rig.Missing() is { } missing)
        {
            await stderr.WriteLineAsync(missing);
            return 2;
        }

        await stdout.WriteLineAsync(Invariant($"worker benchmark: {settings.Jobs} jobs per configuration, workers {string.Join(" then ", WorkerCounts)} (concurrency 1 each), preset {settings.Preset}, storage {settings.Storage}, telemetry {settings.Otlp ?? "off"}, {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));
        await using var rig = await Rig.StartAsync(stdout, cancellationToken, s3: settings.Storage == StorageOptions.S3Provider);
        var telemetry = settings.Otlp is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = settings.Otlp };
        var runs = new List<Run>();
        foreach (var workers in WorkerCounts)
        {
            runs.Add(await rig.MeasureAsync(Invariant($"workers_{workers}"), Invariant($"{workers} worker{(workers == 1 ? "" : "s")}"), workers, telemetry, settings, stdout, cancellationToken));
        }

        await stdout.WriteLineAsync(Invariant($"load average at the end {Machine.LoadAverage()}"));
        await stdout.WriteLineAsync();
        await stdout.WriteAsync(Summary(runs, settings));
        return runs.All(r => r.Problems.Count == 0) ? 0 : 1;
    }

    /// <summary>One configuration: fresh schema and storage, N sources uploaded, workers started and idle, then the timed drain.</summary>
    private static async Task<Run> MeasureAsync(
        Rig rig, string name, string label, int count, IReadOnlyDictionary<string, string> telemetry, Settings settings, TextWriter stdout, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(rig.Root, name);
        var configuration = await ConfigureAsync(rig, name, folder, cancellationToken);
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build())
            .AddMixilloCore()
            .BuildServiceProvider();
        var store = services.GetRequiredService<IJobStore>();
        var storage = services.GetRequiredService<IObjectStorage>();
        await store.InitializeAsync(cancellationToken);
        await storage.InitializeAsync(cancellationToken);

        // Uploads are the API's work, not the worker's: done before the clock starts. So is complete's probe, which the
        // job carries as an upload's does.
        var probe = await services.GetRequiredService<MediaEngine>().ProbeAsync(rig.Clip, cancellationToken);
        var sources = new List<SourceFile>();
        for (var i = 1; i <= settings.Jobs; i++)
        {
            var key = Invariant($"uploads/user_bench/clip_{i:000}.mp4");
            await storage.PutFileAsync(key, rig.Clip, cancellationToken);
            sources.Add(new SourceFile { Key = key, OriginalName = "clip.mp4", SizeBytes = new FileInfo(rig.Clip).Length, MimeType = "video/mp4" });
        }

        var environment = configuration.ToDictionary(c => c.Key.Replace(":", "__", StringComparison.Ordinal), c => c.Value!);
        foreach (var (variable, value) in telemetry)
        {
            environment[variable] = value;
        }

        var workers = new List<WorkerProcess>();
        try
        {
            var starting = Stopwatch.StartNew();
            // Each worker serves /health on a port of its own.
            workers.AddRange(Enumerable.Range(0, count).Select(_ => WorkerProcess.Start(
                Rig.WorkerDll, new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = Invariant($"http://127.0.0.1:{ChildProcess.FreePort()}") }, folder)));
            await Task.WhenAll(workers.Select(w => w.WaitStartedAsync(StartTimeout, cancellationToken)));
            // "started" is logged before the first claim: let that claim (and its first-use costs) pass, as on a long-running worker.
            await Task.Delay(SettleTime, cancellationToken);
            workers.ForEach(w => w.IdleRssMb = Proc.StatusMb(w.Pid, "VmRSS") ?? double.NaN);
            await stdout.WriteLineAsync(Invariant($"{label}: started (pids {string.Join(", ", workers.Select(w => w.Pid))}) in {starting.Elapsed.TotalSeconds:0.0} s; idle RSS {string.Join(", ", workers.Select(w => Invariant($"{w.IdleRssMb:0.0} MB")))}"));

            var run = await DrainAsync(store, sources, probe, workers, count, label, settings, stdout, cancellationToken);

            // Publish marks the job completed, then removes its staging: once stopped, the workers have finished that too.
            var stops = new List<(int ExitCode, double Seconds)>();
            foreach (var worker in workers)
            {
                stops.Add(await worker.StopAsync(StopTimeout));
            }

            run.SourceProbes = File.Exists(ProbeLog(folder)) ? File.ReadLines(ProbeLog(folder)).Count(line => line.Contains("/source", StringComparison.Ordinal)) : 0;
            run.Problems.AddRange(await CheckAsync(run.Finished, storage, configuration["Worker:ScratchRoot"]!, cancellationToken));
            run.Problems.AddRange(workers.SelectMany(w => w.LogProblems().Select(line => Invariant($"worker {w.Pid} logged: {line}"))));
            run.Problems.AddRange(stops.Where(s => s.ExitCode != 0).Select(s => Invariant($"a worker exited with code {s.ExitCode} after SIGTERM")));

            await stdout.WriteLineAsync(Invariant($"{label}: stopped by SIGTERM in {string.Join(", ", stops.Select(s => Invariant($"{s.Seconds:0.0} s (exit {s.ExitCode})")))}"));
            foreach (var worker in workers)
            {
                await stdout.WriteLineAsync(Invariant($"{label}: worker {worker.Pid}  RSS samples {worker.RssMb.Count}  mean {worker.MeanRssMb:0.0} MB  max {worker.MaxRssMb:0.0} MB  VmHWM {worker.PeakRssMb:0.0} MB  CPU own {worker.CpuSeconds:0.0} s, children {worker.ChildrenCpuSeconds:0.0} s"));
            }

            foreach (var problem in run.Problems)
            {
                await stdout.WriteLineAsync($"{label}: PROBLEM {problem}");
            }

            return run;
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.StopAsync(StopTimeout);
                worker.Dispose();
            }
        }
    }

    /// <summary>
    /// A new schema and folder (and bucket); the README's configuration names, and the product defaults for everything
    /// else, but for ffprobe: a wrapper that logs each run's arguments to <see cref="ProbeLog"/>.
    /// </summary>
    private static async Task<Dictionary<string, string?>> ConfigureAsync(Rig rig, string name, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await using (var connection = new NpgsqlConnection(rig.Server.ConnectionString()))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("CREATE SCHEMA " + name, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var ffprobe = Path.Combine(folder, "ffprobe");
        await File.WriteAllTextAsync(ffprobe, $"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{ProbeLog(folder)}'\nexec ffprobe \"$@\"\n", cancellationToken);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(ffprobe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var configuration = new Dictionary<string, string?>
        {
            ["Store:Provider"] = JobStores.Postgres,
            ["ConnectionStrings:mixillo"] = rig.Server.ConnectionString(schema: name),
            ["Storage:Provider"] = StorageOptions.FileSystem,
            ["Storage:Root"] = Path.Combine(folder, "media"),
            ["Worker:Concurrency"] = "1",
            ["Worker:ScratchRoot"] = Path.Combine(folder, "scratch"),
            ["Queue:StartRateLimit"] = "0",
            ["Media:FfprobePath"] = ffprobe,
        };
        if (rig.S3 is { } s3)
        {
            configuration["Storage:Provider"] = StorageOptions.S3Provider;
            configuration["Storage:S3:ServiceUrl"] = s3.ServiceUrl;
            configuration["Storage:S3:AccessKey"] = s3.AccessKey;
            configuration["Storage:S3:SecretKey"] = s3.SecretKey;
            configuration["Storage:S3:Region"] = s3.Region;
            configuration["Storage:S3:Bucket"] = name.Replace('_', '-');
        }

        return configuration;
    }

    private static string ProbeLog(string folder) => Path.Combine(folder, "ffprobe.log");

    /// <summary>The timed part: every job enqueued, then waited for, while the workers' RSS is sampled.</summary>
    private static async Task<Run> DrainAsync(IJobStore store, List<SourceFile> sources, SourceMetadata probe, List<WorkerProcess> workers, int count, string label, Settings settings, TextWriter stdout, CancellationToken cancellationToken)
    {
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(() => SampleAsync(workers, sampling.Token), CancellationToken.None);
        var machineBefore = Machine.Cpu();
        workers.ForEach(w => w.CpuAtStart = Proc.ReadStat(w.Pid));
        var first = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var jobs = new List<TranscodeJob>();
        var options = new JobOptions { Preset = settings.Preset };
        for (var i = 0; i < sources.Count; i++)
        {
            var job = new NewJob { ContentId = Invariant($"bench_{count}w_{i + 1:000}"), UserId = "user_bench", Source = sources[i], Options = options, Probe = probe };
            jobs.Add(await store.CreateAsync(job, queue: true, cancellationToken));
        }

        var enqueueSeconds = clock.Elapsed.TotalSeconds;
        IReadOnlyList<TranscodeJob> finished;
        try
        {
            finished = await WaitForAllAsync(store, jobs, workers, first, clock, TimeSpan.FromSeconds(60 + (30 * settings.Jobs)), label, stdout, cancellationToken);
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }

        var observedSeconds = clock.Elapsed.TotalSeconds;
        var machineAfter = Machine.Cpu();
        foreach (var worker in workers)
        {
            worker.PeakRssMb = Proc.StatusMb(worker.Pid, "VmHWM") ?? double.NaN;
            var cpu = Proc.ReadStat(worker.Pid);
            worker.CpuSeconds = (cpu?.Self - worker.CpuAtStart?.Self) ?? double.NaN;
            worker.ChildrenCpuSeconds = (cpu?.Children - worker.CpuAtStart?.Children) ?? double.NaN;
        }

        var machine = new MachineLoad(
            (machineAfter.Busy - machineBefore.Busy) / (double)(machineAfter.Total - machineBefore.Total),
            (machineAfter.Busy - machineBefore.Busy) / (double)Proc.ClockTicks,
            observedSeconds);
        var wallSeconds = (finished.Max(j => j.CompletedAt ?? DateTimeOffset.MaxValue) - first).TotalSeconds;
        var run = new Run(count, settings.Jobs, finished, wallSeconds, machine, workers, []) { SourceBytes = sources[0].SizeBytes };
        await stdout.WriteLineAsync(Invariant(
            $"{label}: {run.Completed}/{run.Jobs} completed in {wallSeconds:0.0} s (first enqueue to last completedAt; enqueue of all {run.Jobs} took {enqueueSeconds:0.00} s; seen by polling at {observedSeconds:0.0} s): {run.JobsPerMinute:0.00} jobs/min (median gap between completions: {run.MedianGapJobsPerMinute:0.00} jobs/min); CPU-s: workers {run.WorkersCpuSeconds:0.0} + their ffmpeg/ffprobe {run.ChildrenCpuSeconds:0.0} (jobs' recorded ffmpeg usage {run.FfmpegCpuSeconds:0.0}) = {run.OursBusy:P0} of {Environment.ProcessorCount} cores; machine busy {machine.BusyFraction:P0} ({machine.BusySeconds:0.0} CPU-s, every process), so {run.RestCpuSeconds:0.0} CPU-s went to PostgreSQL, this program and anything else running"));

        // Not a failure, but worth seeing: a job whose first claim is stamped before its creation.
        var early = finished.Where(j => j.StartedAt < j.CreatedAt).ToList();
        if (early.Count > 0)
        {
            await stdout.WriteLineAsync(Invariant($"{label}: note: {early.Count} job(s) have startedAt before createdAt, by up to {early.Max(j => (j.CreatedAt - j.StartedAt!.Value).TotalMilliseconds):0} ms"));
        }

        return run;
    }

    /// <summary>Polls the counts; when the number of finished jobs moves, reads the jobs still out and prints the new ones.</summary>
    private static async Task<IReadOnlyList<TranscodeJob>> WaitForAllAsync(
        IJobStore store, List<TranscodeJob> jobs, List<WorkerProcess> workers, DateTimeOffset first, Stopwatch clock, TimeSpan timeout, string label, TextWriter stdout, CancellationToken cancellationToken)
    {
        var outstanding = jobs.Select(j => j.JobId).ToList();
        var finished = new List<TranscodeJob>();
        var seen = -1L;
        while (outstanding.Count > 0)
        {
            if (workers.FirstOrDefault(w => w.HasExited) is { } gone)
            {
                throw new InvalidOperationException(Invariant($"worker {gone.Pid} exited during the run:\n{gone.Tail()}"));
            }

            var counts = await store.CountAsync(cancellationToken);
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(Invariant($"{label}: {finished.Count}/{jobs.Count} jobs finished after {timeout.TotalSeconds:0} s; counts {counts}"));
            }

            var final = counts.Completed + counts.Failed + counts.Cancelled;
            if (final != seen)
            {
                seen = final;
                foreach (var jobId in outstanding.ToList())
                {
                    var job = await store.GetAsync(jobId, cancellationToken) ?? throw new InvalidOperationException($"{jobId} vanished");
                    if (job.Status is not (JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled))
                    {
                        continue;
                    }

                    outstanding.Remove(jobId);
                    finished.Add(job);
                    var at = ((job.CompletedAt ?? DateTimeOffset.UtcNow) - first).TotalSeconds;
                    var waited = ((job.StartedAt ?? job.CreatedAt) - job.CreatedAt).TotalSeconds;
                    var processing = ((job.CompletedAt ?? job.UpdatedAt) - (job.StartedAt ?? job.CreatedAt)).TotalSeconds;
                    await stdout.WriteLineAsync(Invariant(
                        $"{label}: job {finished.Count,2}/{jobs.Count} {JobJson.Name(job.Status)} at {at,6:0.0} s  (waited {waited,5:0.0} s, first claim to completion {processing,5:0.0} s, ffmpeg cpu {job.Usage.CpuSeconds,5:0.0} s, published by {job.Worker?.WorkerId ?? "-"}, retries {job.RetryCount}; worker RSS now {string.Join("/", workers.Select(w => Invariant($"{Proc.StatusMb(w.Pid, "VmRSS"):0.0}")))} MB)"));
                }
            }

            if (outstanding.Count > 0)
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
        }

        return finished;
    }

    /// <summary>Every job completed without errors, its outputs published, nothing left in staging or scratch.</summary>
    private static async Task<List<string>> CheckAsync(IReadOnlyList<TranscodeJob> jobs, IObjectStorage storage, string scratch, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var job in jobs)
        {
            if (job.Status != JobStatus.Completed)
            {
                problems.Add(Invariant($"{job.JobId} is {JobJson.Name(job.Status)}: {string.Join("; ", job.Errors.Select(e => e.Code + " " + e.Error))}"));
                continue;
            }

            if (job.Errors.Count > 0)
            {
                problems.Add(Invariant($"{job.JobId} completed after {job.Errors.Count} error(s): {string.Join("; ", job.Errors.Select(e => e.Code + " " + e.Error))}"));
            }

            var expected = job.Options.Qualities.Select(OutputLayout.Rendition)
                .Concat(Enumerable.Range(1, job.Options.ThumbnailCount).Select(OutputLayout.Thumbnail))
                .Concat([OutputLayout.Preview, OutputLayout.AudioTrack, OutputLayout.HlsMaster]);
            foreach (var relative in expected)
            {
                if (await storage.StatAsync(OutputKeys.Published(job.ContentId) + relative, cancellationToken) is null)
                {
                    problems.Add($"{job.JobId}: {relative} was not published");
                }
            }
        }

        await foreach (var left in storage.ListAsync("staging/", cancellationToken))
        {
            problems.Add($"left in staging: {left.Key}");
        }

        if (Directory.Exists(scratch))
        {
            problems.AddRange(Directory.EnumerateFiles(scratch, "*", SearchOption.AllDirectories).Select(f => "left in scratch: " + f));
        }

        return problems;
    }

    private static async Task SampleAsync(List<WorkerProcess> workers, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(SampleInterval);
        try
        {
            do
            {
                foreach (var worker in workers)
                {
                    if (Proc.StatusMb(worker.Pid, "VmRSS") is { } mb)
                    {
                        worker.RssMb.Add(mb);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private static string Summary(List<Run> runs, Settings settings)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"{settings.Jobs} jobs per configuration of a {ClipSize} {ClipFps} fps {ClipSeconds} s clip with audio; default job options (720p/480p/360p, HLS, 5 thumbnails, preview, MP3), preset {settings.Preset}; PostgreSQL + {settings.Storage} storage on loopback; each worker process Concurrency 1."));
        text.AppendLine();
        text.AppendLine("| workers | jobs completed | wall s | jobs/min | jobs/min, median gap (info) | mean job s (first claim to completion) | workers' own CPU s | their ffmpeg/ffprobe CPU s | per job CPU s | of the cores | machine busy (every process) | rest of the machine CPU s | bytes read from storage per job (x the source) | ffprobe runs on the source per job |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            text.AppendLine(Invariant($"| {r.Workers} | {r.Completed}/{r.Jobs} | {r.WallSeconds:0.0} | {r.JobsPerMinute:0.00} | {r.MedianGapJobsPerMinute:0.00} | {r.MeanJobSeconds:0.0} | {r.WorkersCpuSeconds:0.0} | {r.ChildrenCpuSeconds:0.0} | {(r.WorkersCpuSeconds + r.ChildrenCpuSeconds) / r.Finished.Count:0.00} | {r.OursBusy:P0} | {r.Machine.BusyFraction:P0} | {r.RestCpuSeconds:0.0} | {r.BytesReadPerJob:0} ({r.BytesReadPerJob / r.SourceBytes:0.00}) | {r.ProbesPerJob:0.00} |"));
        }

        if (runs.Count == 2)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"2 workers / 1 worker, jobs per minute: {runs[1].JobsPerMinute / runs[0].JobsPerMinute:0.00}; from the median gaps {runs[1].MedianGapJobsPerMinute / runs[0].MedianGapJobsPerMinute:0.00} (the workers and their children had {runs[0].OursBusy:P0}, then {runs[1].OursBusy:P0}, of the cores; the rest of the machine {runs[0].RestCpuSeconds:0} and {runs[1].RestCpuSeconds:0} CPU-s)"));
        }

        text.AppendLine();
        text.AppendLine(Invariant($"Each worker process's own VmRSS (not its ffmpeg children), sampled every {SampleInterval.TotalMilliseconds:0} ms from the first enqueue to the last completion; MB = 10^6 bytes. Idle = 2 s after start-up, before the first enqueue; VmHWM = the kernel's high-water mark over the process's life, read before SIGTERM."));
        text.AppendLine();
        text.AppendLine("| workers | process | samples | idle MB | mean MB | max MB | VmHWM MB | target | result |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in runs)
        {
            for (var i = 0; i < r.Processes.Count; i++)
            {
                var p = r.Processes[i];
                var worst = Math.Max(p.MaxRssMb, p.PeakRssMb);
                text.AppendLine(Invariant($"| {r.Workers} | {i + 1} of {r.Workers} | {p.RssMb.Count} | {p.IdleRssMb:0.0} | {p.MeanRssMb:0.0} | {p.MaxRssMb:0.0} | {p.PeakRssMb:0.0} | <= {TargetRssMb:0} | {(worst <= TargetRssMb ? "PASS" : "MISS")} |"));
            }
        }

        var problems = runs.Sum(r => r.Problems.Count);
        text.AppendLine();
        text.AppendLine(problems == 0 ? "Every job completed with no error and published its outputs; nothing was left in staging or scratch; every worker stopped with exit code 0 and logged no warning." : Invariant($"{problems} problem(s): see the PROBLEM lines above."));
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal sealed record Run(
        int Workers,
        int Jobs,
        IReadOnlyList<TranscodeJob> Finished,
        double WallSeconds,
        MachineLoad Machine,
        IReadOnlyList<WorkerProcess> Processes,
        List<string> Problems)
    {
        public int Completed => Finished.Count(j => j.Status == JobStatus.Completed);

        /// <summary>The source's size: what one download of it reads.</summary>
        public long SourceBytes { get; init; }

        /// <summary>ffprobe runs on a source (in a worker's scratch), all jobs together.</summary>
        public int SourceProbes { get; set; }

        public double BytesReadPerJob => Finished.Average(j => (double)j.Usage.BytesRead);

        public double ProbesPerJob => SourceProbes / (double)Finished.Count;

        public double JobsPerMinute => Completed / WallSeconds * 60;

        /// <summary>
        /// Steady-state rate, robust to a burst of load from elsewhere: the median over k of (t[k+w] - t[k]) / w, where t are
        /// the completion times in order and w the number of workers (each finishes one job per such gap).
        /// </summary>
        public double MedianGapJobsPerMinute
        {
            get
            {
                var times = Finished.Select(j => j.CompletedAt ?? j.UpdatedAt).Order().ToArray();
                var gaps = Enumerable.Range(0, Math.Max(0, times.Length - Workers)).Select(k => (times[k + Workers] - times[k]).TotalSeconds / Workers).Order().ToArray();
                return gaps.Length == 0 ? double.NaN : 60 / (gaps.Length % 2 == 1 ? gaps[gaps.Length / 2] : (gaps[(gaps.Length / 2) - 1] + gaps[gaps.Length / 2]) / 2);
            }
        }

        public double MeanJobSeconds => Finished.Average(j => ((j.CompletedAt ?? j.UpdatedAt) - (j.StartedAt ?? j.CreatedAt)).TotalSeconds);

        public double FfmpegCpuSeconds => Finished.Sum(j => j.Usage.CpuSeconds);

        public double WorkersCpuSeconds => Processes.Sum(p => p.CpuSeconds);

        public double ChildrenCpuSeconds => Processes.Sum(p => p.ChildrenCpuSeconds);

        /// <summary>The workers and their children against what the cores could give over the window the machine was measured.</summary>
        public double OursBusy => (WorkersCpuSeconds + ChildrenCpuSeconds) / (Machine.WindowSeconds * Environment.ProcessorCount);

        public double RestCpuSeconds => Machine.BusySeconds - WorkersCpuSeconds - ChildrenCpuSeconds;
    }

    /// <summary>The whole machine over the timed window: every process, this benchmark's or not (another engineer's tests, say).</summary>
    internal sealed record MachineLoad(double BusyFraction, double BusySeconds, double WindowSeconds);

    /// <summary>
    /// <c>dotnet Mixillo.Worker.dll</c> as a real process (the dotnet host runs the app in its own process, so its PID
    /// is the worker's): output drained line by line and kept for readiness, warnings and errors.
    /// </summary>
    internal sealed class WorkerProcess(string dll, IReadOnlyDictionary<string, string> environment, string workingDirectory)
        : HostProcess("dotnet", [dll], environment, workingDirectory)
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<double> RssMb { get; } = [];

        public double IdleRssMb { get; set; } = double.NaN;

        public double PeakRssMb { get; set; } = double.NaN;

        public Proc.Stat? CpuAtStart { get; set; }

        /// <summary>The worker's own CPU over the timed window.</summary>
        public double CpuSeconds { get; set; } = double.NaN;

        /// <summary>Its ffmpeg and ffprobe processes' CPU over the timed window.</summary>
        public double ChildrenCpuSeconds { get; set; } = double.NaN;

        public double MeanRssMb => RssMb.Count == 0 ? double.NaN : RssMb.Average();

        public double MaxRssMb => RssMb.Count == 0 ? double.NaN : RssMb.Max();

        public static WorkerProcess Start(string dll, IReadOnlyDictionary<string, string> environment, string workingDirectory) =>
            new(dll, environment, workingDirectory);

        /// <summary>Returns once the worker logged "Worker {id} started: ..." (the store is initialized and it claims).</summary>
        public async Task WaitStartedAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var exited = Process.WaitForExitAsync(cancellationToken);
            try
            {
                var first = await Task.WhenAny(_started.Task, exited).WaitAsync(timeout, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                if (first != _started.Task)
                {
                    throw new InvalidOperationException(Invariant($"worker {Pid} exited with code {Process.ExitCode} before it started:\n{Tail()}"));
                }
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(Invariant($"worker {Pid} did not start within {timeout.TotalSeconds:0} s:\n{Tail()}"));
            }
        }

        protected override void OnLine(string line)
        {
            if (line.Contains("Worker worker_", StringComparison.Ordinal) && line.Contains(StartedMarker, StringComparison.Ordinal))
            {
                _started.TrySetResult();
            }
        }
    }

    /// <param name="Otlp">Where the workers export telemetry (OTEL_EXPORTER_OTLP_ENDPOINT), or null: no telemetry.</param>
    internal sealed record Settings(int Jobs, string Preset, string Storage, string? Otlp)
    {
        public static Settings Parse(IReadOnlyList<string> args)
        {
            var options = new CommandOptions(args, "--jobs", "--preset", "--storage", "--otlp");
            return new Settings(
                options.Int("--jobs", 16, min: 1),
                options.OneOf("--preset", "medium", [.. TranscodeOptions.Presets]),
                options.OneOf("--storage", StorageOptions.FileSystem, [StorageOptions.FileSystem, StorageOptions.S3Provider]),
                options.Url("--otlp"));
        }
    }

    /// <summary>
    /// What every configuration shares: a temp folder, the clip, a throwaway PostgreSQL and the built worker. The
    /// <c>apphost</c> verb measures workers with it too.
    /// </summary>
    internal sealed class Rig : IAsyncDisposable
    {
        private Rig(string root, string clip, PostgresServer server, CephS3Server? s3)
        {
            Root = root;
            Clip = clip;
            Server = server;
            S3 = s3;
        }

        /// <summary>The benchmark references Mixillo.Worker, so the build copies the worker (with its runtimeconfig) here.</summary>
        public static string WorkerDll => Path.Combine(AppContext.BaseDirectory, "Mixillo.Worker.dll");

        public string Root { get; }

        public string Clip { get; }

        public PostgresServer Server { get; }

        /// <summary>Set when storage is S3: each configuration gets a bucket of its own.</summary>
        public CephS3Server? S3 { get; }

        /// <summary>Why workers cannot be measured here, or null.</summary>
        public static string? Missing() =>
            !OperatingSystem.IsLinux() ? "The worker benchmark reads /proc; it runs on Linux only."
            : !File.Exists(WorkerDll) ? $"{WorkerDll} is missing; build the benchmark project first."
            : null;

        /// <summary>Makes the clip and starts PostgreSQL (and an S3 gateway); the folder and the servers go when this is disposed (or if starting fails).</summary>
        public static async Task<Rig> StartAsync(TextWriter stdout, CancellationToken cancellationToken, bool s3 = false)
        {
            var root = Directory.CreateTempSubdirectory("mixillo-workerbench-").FullName;
            try
            {
                var clip = Path.Combine(root, "clip.mp4");
                var generated = Stopwatch.StartNew();
                // The engine's own runner: killed on cancellation; a failure throws with ffmpeg's stderr in Diagnostics.
                await new FfmpegRunner(new MediaOptions(), TimeProvider.System).RunAsync(
                    new FfmpegStep("clip", 1, ClipSeconds, ErrorCatalog.EncodeFailed), FfmpegArguments.Synthetic(clip, ClipSize, ClipFps, ClipSeconds, withAudio: true), null, cancellationToken);
                await stdout.WriteLineAsync(Invariant($"clip: {ClipSize} {ClipFps} fps {ClipSeconds} s with audio, {new FileInfo(clip).Length / 1e6:0.00} MB in {generated.Elapsed.TotalSeconds:0.0} s"));

                var started = Stopwatch.StartNew();
                var server = await PostgresServer.StartAsync(cancellationToken);
                await stdout.WriteLineAsync(Invariant($"PostgreSQL started on port {server.Port} in {started.Elapsed.TotalSeconds:0.0} s; worker {WorkerDll}"));
                if (!s3)
                {
                    return new Rig(root, clip, server, null);
                }

                try
                {
                    started.Restart();
                    var gateway = await CephS3Server.StartAsync(cancellationToken);
                    await stdout.WriteLineAsync(Invariant($"Ceph S3 gateway started at {gateway.ServiceUrl} in {started.Elapsed.TotalSeconds:0.0} s"));
                    return new Rig(root, clip, server, gateway);
                }
                catch
                {
                    await server.DisposeAsync();
                    throw;
                }
            }
            catch
            {
                Directory.Delete(root, recursive: true);
                throw;
            }
        }

        /// <summary>
        /// One configuration, <paramref name="name"/> (its schema and folder): <paramref name="count"/> workers, with
        /// <paramref name="telemetry"/> added to their environment, drain <see cref="Settings.Jobs"/> jobs.
        /// </summary>
        public Task<Run> MeasureAsync(
            string name, string label, int count, IReadOnlyDictionary<string, string> telemetry, Settings settings, TextWriter stdout, CancellationToken cancellationToken) =>
            WorkerBenchmark.MeasureAsync(this, name, label, count, telemetry, settings, stdout, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (S3 is not null)
            {
                await S3.DisposeAsync();
            }

            await Server.DisposeAsync();
            Directory.Delete(Root, recursive: true);
        }
    }
}
