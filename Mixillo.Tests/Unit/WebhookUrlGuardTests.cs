using System.Net;
using Mixillo.Api.Webhooks;

namespace Mixillo.Tests.Unit;

public sealed class WebhookUrlGuardTests
{
    [Theory]
    [InlineData("0.0.0.0", false)]
    [InlineData("0.1.2.3", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.1.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("10.255.255.255", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.254", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("169.254.0.1", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("100.127.255.255", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("239.255.255.250", false)]
    [InlineData("240.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("febf::1", false)]
    [InlineData("fec0::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("::ffff:10.1.2.3", false)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("64:ff9b::7f00:1", false)]
    [InlineData("64:ff9b::a9fe:a9fe", false)]
    [InlineData("64:ff9b:1::808:808", false)]
    [InlineData("2002:7f00:1::1", false)]
    [InlineData("2002:c0a8:101::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", false)]
    [InlineData("64:ff9b::808:808", true)]
    [InlineData("2002:808:808::1", true)]
    [InlineData("::8.8.8.8", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("1.1.1.1", true)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.167.1.1", true)]
    [InlineData("169.253.1.1", true)]
    [InlineData("11.0.0.1", true)]
    [InlineData("223.255.255.255", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("2606:4700::1111", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void Only_public_unicast_addresses_are_allowed(string address, bool allowed) =>
        Assert.Equal(allowed, WebhookUrlGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://hooks.example.com/in", true)]
    [InlineData("http://hooks.example.com:8080/in?x=1", true)]
    [InlineData("ftp://hooks.example.com/in", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("/relative/path", false)]
    [InlineData("https://user:pass@hooks.example.com/", false)]
    [InlineData("not a url", false)]
    [InlineData(null, false)]
    public void A_url_is_absolute_http_or_https_without_user_information(string? url, bool valid) =>
        Assert.Equal(valid, WebhookUrlGuard.TryParse(url, out _, out _));

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://localhost/")]
    [InlineData("http://[::ffff:10.0.0.1]/")]
    public async Task A_host_on_an_internal_address_is_refused(string url)
    {
        Assert.True(WebhookUrlGuard.TryParse(url, out var uri, out _));
        Assert.NotNull(await WebhookUrlGuard.RefusalAsync(uri, CancellationToken.None));
    }

    [Fact]
    public async Task A_public_address_literal_is_accepted() =>
        Assert.Null(await WebhookUrlGuard.RefusalAsync(new Uri("https://8.8.8.8/hook"), CancellationToken.None));
}
