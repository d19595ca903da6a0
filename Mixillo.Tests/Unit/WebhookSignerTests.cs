using System.Security.Cryptography;
using System.Text;
using Mixillo.Api.Webhooks;

namespace Mixillo.Tests.Unit;

public sealed class WebhookSignerTests
{
    [Fact]
    public void The_signature_is_the_standard_webhooks_reference_example()
    {
        // The example of the Standard Webhooks specification (and its reference libraries' tests).
        Assert.Equal(
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSigner.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""));
    }

    [Fact]
    public void A_new_secret_signs_as_the_receiver_verifies()
    {
        var secret = WebhookSigner.NewSecret();
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        const string Body = """{"id":7,"type":"job.completed","data":{"é":"ü"}}""";
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret[6..]), Encoding.UTF8.GetBytes($"msg_1.1700000000.{Body}")));
        Assert.Equal("v1," + expected, WebhookSigner.Sign(secret, "msg_1", 1700000000, Body));
        Assert.NotEqual(WebhookSigner.Sign(secret, "msg_1", 1700000000, Body), WebhookSigner.Sign(secret, "msg_1", 1700000001, Body));
        Assert.NotEqual(secret, WebhookSigner.NewSecret());
    }
}
