using System.Net;
using System.Net.Sockets;

namespace Mixillo.Api.Webhooks;

/// <summary>
/// Keeps webhooks off the service's own networks (SSRF): a URL is http(s), and its host may resolve only to public
/// addresses. Checked at registration and again at every connection, which goes to the address just checked (DNS
/// can change between the two), unless <see cref="WebhookOptions.AllowPrivateNetworks"/>.
/// </summary>
public static class WebhookUrlGuard
{
    public const int MaxUrlLength = 2048;

    /// <summary>An absolute http or https URL with a host and no user information; otherwise why not.</summary>
    public static bool TryParse(string? url, out Uri uri, out string problem)
    {
        uri = null!;
        problem = $"url is an absolute http or https URL of at most {MaxUrlLength} characters, without user information.";
        if (url is null || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            || parsed.Scheme is not ("http" or "https") || string.IsNullOrEmpty(parsed.Host) || parsed.UserInfo.Length > 0)
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    /// <summary>Null when every address of the URL's host is public; otherwise why the URL is refused.</summary>
    public static async Task<string?> RefusalAsync(Uri uri, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host '{uri.Host}' does not resolve.";
        }

        return addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused
            ? $"The host '{uri.Host}' resolves to {refused}, which is not a public address (set Webhooks:AllowPrivateNetworks to allow it)."
            : null;
    }

    /// <summary>
    /// The handler's connect step: resolves the host, keeps its public addresses, and connects to the first that
    /// answers; none public is a refusal (<see cref="AddressRefusedException"/>).
    /// </summary>
    public static async ValueTask<Stream> ConnectPublicAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = (await ResolveAsync(host, cancellationToken)).Where(IsPublic).ToList();
        if (addresses.Count == 0)
        {
            throw new AddressRefusedException(host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. addresses], context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Public unicast: not unspecified, loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10),
    /// link-local (169.254/16 with the cloud metadata address, fe80::/10), site-local (fec0::/10), multicast,
    /// broadcast or reserved (0/8, 240/4). An IPv6 address that carries an IPv4 one (see <see cref="Carried"/>) is judged
    /// by the IPv4 address, as that is where the packets end up; NAT64's local-use prefix (64:ff9b:1::/48) is never public.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (Carried(address) is { } inner)
        {
            address = inner;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 or >= 224 => false,
                100 => b[1] is < 64 or > 127,
                169 => b[1] != 254,
                172 => b[1] is < 16 or > 31,
                192 => b[1] != 168,
                _ => true,
            };
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        return !(address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)
            || (bytes[0] & 0xFE) == 0xFC // fc00::/7
            || bytes.AsSpan(0, 6).SequenceEqual(Nat64LocalUse)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast);
    }

    private static readonly byte[] Nat64LocalUse = [0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01];

    private static readonly byte[] Nat64 = [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>
    /// The IPv4 address inside an IPv6 one: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64's well-known prefix
    /// (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::/48) and a Teredo client (2001:0::/32, its last 32 bits inverted).
    /// </summary>
    private static IPAddress? Carried(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (bytes.AsSpan(0, 12).SequenceEqual(Nat64))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return new IPAddress(bytes.AsSpan(2, 4));
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0)
        {
            return new IPAddress([(byte)~bytes[12], (byte)~bytes[13], (byte)~bytes[14], (byte)~bytes[15]]);
        }

        return null;
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);

    /// <summary>The connection was not made: the host resolves to no public address.</summary>
    public sealed class AddressRefusedException(string host) : IOException($"'{host}' resolves to no public address.");
}
