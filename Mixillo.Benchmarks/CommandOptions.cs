using System.Globalization;

namespace Mixillo.Benchmarks;

/// <summary>Strict <c>--name value</c> options: an unknown name, a missing value or a bad value throws <see cref="ArgumentException"/>.</summary>
internal sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public CommandOptions(IReadOnlyList<string> args, params string[] known)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"Unknown option '{name}'.");
            }

            _values[name] = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
        }
    }

    public int Int(string name, int fallback, int min) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min ? value
        : throw Bad(name, text);

    public double Double(string name, double fallback, double min, double max) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
        : throw Bad(name, text);

    /// <summary>Comma-separated numbers, each within [min, max].</summary>
    public IReadOnlyList<double> Doubles(string name, IReadOnlyList<double> fallback, double min, double max) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : text.Split(',', StringSplitOptions.TrimEntries) is var parts
            && parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            ? [.. parts.Select(p => double.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture))]
        : throw Bad(name, text);

    public string OneOf(string name, string fallback, IReadOnlyCollection<string> allowed) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : allowed.Contains(text, StringComparer.Ordinal) ? text
        : throw Bad(name, text);

    /// <summary>An absolute http(s) URL, or null when the option is not given.</summary>
    public string? Url(string name) =>
        !_values.TryGetValue(name, out var text) ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? text
        : throw Bad(name, text);

    private static ArgumentException Bad(string name, string value) => new($"Bad value '{value}' for {name}.");
}
