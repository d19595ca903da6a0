namespace Mixillo.Tests.Api;

/// <summary>
/// The API of <see cref="ApiFactory"/> on Kestrel, on a free loopback port: the server's request parsing and
/// per-route body limits apply as in production (the in-memory test server enforces no body limit).
/// </summary>
public sealed class KestrelApiFactory : ApiFactory
{
    public KestrelApiFactory() => UseKestrel(0);

    internal KestrelApiFactory(IReadOnlyDictionary<string, string?> configuration)
        : base(configuration) => UseKestrel(0);
}
