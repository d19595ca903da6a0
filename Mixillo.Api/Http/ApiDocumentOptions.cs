namespace Mixillo.Api.Http;

/// <summary>
/// The <c>OpenApi</c> section: who may read <c>/openapi/v1.json</c> and which servers it names. The document lists
/// the admin routes too (they refuse callers without the admin role, listed or not), so outside Development it is
/// not handed to anonymous callers unless the operator says so.
/// </summary>
public sealed class ApiDocumentOptions
{
    public const string Section = "OpenApi";

    /// <summary>Anyone may read the document; unset: only in Development (elsewhere a token, any user's, is needed).</summary>
    public bool? Anonymous { get; set; }

    /// <summary>
    /// Comma-separated absolute URLs the document names as its servers (a public address behind a proxy, with its
    /// path). None by default: clients then call the host they fetched the document from. Never taken from the
    /// request, whose Host header the caller chooses.
    /// </summary>
    public string ServerUrls { get; set; } = "";

    public IReadOnlyList<string> ServerUrlList => ServerUrls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool IsAnonymous(bool development) => Anonymous ?? development;

    /// <summary>Throws <see cref="ArgumentException"/> naming the key and the value that is not an http(s) URL.</summary>
    public void Validate()
    {
        foreach (var url in ServerUrlList)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                throw new ArgumentException($"{Section}:{nameof(ServerUrls)}: '{url}' is not an absolute http(s) URL (https://api.example.com[/path]).");
            }
        }
    }
}
