namespace Mixillo.Api.Http;

/// <summary>
/// The <c>Cors</c> section: which web origins' pages may use the service from a browser. Neither list ever
/// lets a browser send cookies or other ambient credentials: the API is called with bearer tokens only, which
/// a page has to hold itself, so opening the API to any origin gives a foreign page nothing it could not do
/// without a browser.
/// </summary>
public sealed class OriginOptions
{
    public const string Section = "Cors";
    public const string MediaPolicy = "media";
    public const string ApiPolicy = "api";
    public const string Any = "*";

    /// <summary>Pages that may play <c>/media/...</c> (and presigned storage URLs): comma-separated origins, or <c>*</c>.</summary>
    public string MediaOrigins { get; set; } = Any;

    /// <summary>Pages that may call <c>/api/...</c> (an upload page, an admin console): comma-separated origins, or <c>*</c>.</summary>
    public string ApiOrigins { get; set; } = Any;

    public IReadOnlyList<string> MediaOriginList => List(MediaOrigins);

    public IReadOnlyList<string> ApiOriginList => List(ApiOrigins);

    /// <summary>Throws <see cref="ArgumentException"/> naming the key and the value that is not an origin.</summary>
    public void Validate()
    {
        Check(nameof(MediaOrigins), MediaOriginList);
        Check(nameof(ApiOrigins), ApiOriginList);
    }

    private static void Check(string key, IReadOnlyList<string> origins)
    {
        if (origins.Count == 0 || (origins.Count > 1 && origins.Contains(Any)))
        {
            throw new ArgumentException($"{Section}:{key} is '{Any}' or a comma-separated list of origins (https://app.example.com).");
        }

        // An origin is exactly what a browser sends: scheme, host and port, nothing after.
        foreach (var origin in origins.Where(o => o != Any))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || !string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{Section}:{key}: '{origin}' is not an origin (scheme://host[:port], no path or trailing '/').");
            }
        }
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
