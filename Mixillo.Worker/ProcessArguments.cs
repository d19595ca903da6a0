using System.Globalization;
using Mixillo.Media;
using Mixillo.Media.Planning;

namespace Mixillo.Worker;

/// <summary>The arguments of <c>process INPUT --out DIR [options]</c>, parsed strictly: anything unknown is an error.</summary>
internal sealed record ProcessArguments(string? Input, string Output, bool Demo, TranscodeOptions Options)
{
    public const string Synopsis =
        "usage: Mixillo.Worker [--Section:Key=value ...]    (runs the worker host)\n" +
        "       Mixillo.Worker process (INPUT | --demo) --out DIR [--qualities 720p,480p,360p] [--dash] [--no-hls] " +
        "[--thumbnails N] [--no-preview] [--no-audio] [--preset medium]";

    /// <summary>Throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static ProcessArguments Parse(IReadOnlyList<string> args)
    {
        string? input = null;
        string? output = null;
        var demo = false;
        var options = new TranscodeOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--out":
                    output = Value(args, ref i);
                    break;
                case "--qualities":
                    options = options with { Ladder = Rung.ParseLadder(Value(args, ref i)) };
                    break;
                case "--thumbnails":
                    options = options with { ThumbnailCount = Count(Value(args, ref i)) };
                    break;
                case "--preset":
                    options = options with { Preset = Value(args, ref i) };
                    break;
                case "--dash":
                    options = options with { Dash = true };
                    break;
                case "--no-hls":
                    options = options with { Hls = false };
                    break;
                case "--no-preview":
                    options = options with { Preview = false };
                    break;
                case "--no-audio":
                    options = options with { Audio = false };
                    break;
                case "--demo":
                    demo = true;
                    break;
                case var _ when arg.StartsWith('-') && arg != "-":
                    throw new ArgumentException($"Unknown option '{arg}'.");
                case var _ when input is null:
                    input = arg;
                    break;
                default:
                    throw new ArgumentException($"Unexpected argument '{arg}'; give one INPUT.");
            }
        }

        if (output is null)
        {
            throw new ArgumentException("--out DIR is required.");
        }

        if (demo == (input is not null))
        {
            throw new ArgumentException("Give either INPUT or --demo.");
        }

        if (input is not null && OutputLayout.Names.FirstOrDefault(name => IsAtOrUnder(input, Path.Combine(output, name))) is { } taken)
        {
            throw new ArgumentException($"INPUT is at '{taken}' in --out, which a run replaces; move it or choose another --out.");
        }

        options.Validate();
        return new ProcessArguments(input, output, demo, options);
    }

    // A run deletes what an earlier one left under the contract's names: an input there would be lost.
    private static bool IsAtOrUnder(string path, string target)
    {
        var file = Path.GetFullPath(path);
        var place = Path.GetFullPath(target);
        return file == place || file.StartsWith(place + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{args[i]} needs a value.");
        }

        return args[++i];
    }

    private static int Count(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"--thumbnails takes a whole number, not '{text}'.");
}
