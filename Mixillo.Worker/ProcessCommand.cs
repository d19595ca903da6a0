using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Mixillo.Errors;
using Mixillo.Media;

namespace Mixillo.Worker;

/// <summary>
/// <c>process</c>: one file through the media engine, no database or server. The result is JSON on stdout,
/// progress goes to stderr. Exit 0 on success, 2 with a JSON error for invalid input or arguments, 1 otherwise.
/// </summary>
internal static class ProcessCommand
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidInput = 2;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions OneLine = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, IConfiguration configuration, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        MediaOptions media;
        try
        {
            media = configuration.GetSection(MediaOptions.Section).Get<MediaOptions>() ?? new MediaOptions();
            media.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            await WriteErrorAsync(stderr, ErrorCatalog.InvalidConfiguration, ex.Message);
            return InvalidInput;
        }

        ProcessArguments parsed;
        try
        {
            parsed = ProcessArguments.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await WriteErrorAsync(stderr, ErrorCatalog.InvalidArguments, ex.Message);
            await stderr.WriteLineAsync(ProcessArguments.Synopsis);
            return InvalidInput;
        }

        var engine = new MediaEngine(media, TimeProvider.System);
        var progress = new StderrProgress(stderr);
        string? demoClip = null;
        try
        {
            var input = parsed.Input;
            if (parsed.Demo)
            {
                demoClip = await DemoClip.CreateAsync(media, cancellationToken);
                input = demoClip;
                await stderr.WriteLineAsync($"demo: generated a {DemoClip.Seconds} s {DemoClip.Size} clip");
            }

            var result = await engine.TranscodeAsync(input!, parsed.Output, parsed.Options, progress, cancellationToken);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(result, Json));
            await stderr.WriteLineAsync($"done: {result.Renditions.Count} renditions in {Path.GetFullPath(parsed.Output)} ({result.Timings.TotalSeconds:0.0} s)");
            return Success;
        }
        catch (MediaException ex)
        {
            await WriteErrorAsync(stderr, ex.Error, ex.Message);
            return ex.IsInputError ? InvalidInput : Failure;
        }
        catch (OperationCanceledException)
        {
            await WriteErrorAsync(stderr, ErrorCatalog.Cancelled, "Cancelled; nothing was written.");
            return Failure;
        }
        finally
        {
            if (demoClip is not null)
            {
                File.Delete(demoClip);
            }
        }
    }

    public static int Usage(TextWriter stderr)
    {
        stderr.WriteLine(ProcessArguments.Synopsis);
        return InvalidInput;
    }

    private static Task WriteErrorAsync(TextWriter stderr, ErrorCode error, string message) =>
        stderr.WriteLineAsync(JsonSerializer.Serialize(new { code = error.Code, message }, OneLine));
}
