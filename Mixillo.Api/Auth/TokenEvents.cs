using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mixillo.Api.Auth;

/// <summary>What the service adds to the bearer handler's checks: where a token's role comes from, and where a refusal's reason goes.</summary>
public static partial class TokenEvents
{
    public static JwtBearerEvents Create() => new() { OnTokenValidated = CheckUserAndRole, OnChallenge = LogWhyNotTell };

    /// <summary>A token must name a user the service can keep (<see cref="Tokens.Refusal"/>); its role is then the documented claim alone.</summary>
    private static Task CheckUserAndRole(TokenValidatedContext context)
    {
        if (Tokens.Refusal(context.Principal!) is { } reason)
        {
            context.Fail(reason);
            return Task.CompletedTask;
        }

        return KeepOnlyTheDocumentedRole(context);
    }

    /// <summary>
    /// The handler makes a role claim of every element of an array (<c>"role": ["user", "admin"]</c> is in role admin)
    /// and keeps claims named <c>Role</c> or <c>ROLE</c>, which a check comparing names without case (as
    /// <see cref="ClaimsIdentity.HasClaim(string, string)"/> does) takes for roles. A role is exactly the documented
    /// claim: a member named <c>role</c>, once, whose value is a string; every other role-like claim is dropped.
    /// </summary>
    private static Task KeepOnlyTheDocumentedRole(TokenValidatedContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return Task.CompletedTask;
        }

        foreach (var claim in identity.Claims.Where(c => string.Equals(c.Type, AuthOptions.RoleClaim, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            identity.RemoveClaim(claim);
        }

        // A token whose payload cannot be read here carries no role: no admin by accident.
        if (context.SecurityToken is JsonWebToken token && DocumentedRole(token) is { } role)
        {
            identity.AddClaim(new Claim(AuthOptions.RoleClaim, role, ClaimValueTypes.String, token.Issuer));
        }

        return Task.CompletedTask;
    }

    /// <summary>The payload's one <c>role</c> member when it is a string; null for none, several, or any other JSON.</summary>
    private static string? DocumentedRole(JsonWebToken token)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        var roles = payload.RootElement.EnumerateObject().Where(p => p.NameEquals(AuthOptions.RoleClaim)).ToList();
        return roles is [{ Value.ValueKind: JsonValueKind.String } only] ? only.Value.GetString() : null;
    }

    /// <summary>
    /// The handler would answer a refused token with its reason (<c>error_description="The token expired at ..."</c>),
    /// which tells a caller probing with forged tokens which check it passed. The caller learns only that the token is
    /// invalid; the reason goes to the log for the operator.
    /// </summary>
    private static Task LogWhyNotTell(JwtBearerChallengeContext context)
    {
        if (context.AuthenticateFailure is { } failure)
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TokenEvents).FullName!);
            LogRefused(logger, context.Request.Method, context.Request.Path.Value ?? "", failure.GetType().Name, context.ErrorDescription ?? "");
        }

        context.ErrorDescription = null;
        context.ErrorUri = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Token refused on {Method} {Path}: {Failure} {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string path, string failure, string reason);
}
