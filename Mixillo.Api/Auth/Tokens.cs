using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using Mixillo.Jobs.Model;

namespace Mixillo.Api.Auth;

/// <summary>Issues and describes the service's tokens (HS256 JWT).</summary>
public static class Tokens
{
    /// <param name="profile">Name fields to carry (uploads record them for admins).</param>
    public static string Issue(AuthOptions options, SymmetricSecurityKey key, string userId, string? role, TimeSpan lifetime, DateTimeOffset now, UserInfo? profile = null)
    {
        var claims = new List<Claim> { new(AuthOptions.UserClaim, userId) };
        foreach (var (type, value) in new[]
        {
            (AuthOptions.RoleClaim, role),
            (AuthOptions.UsernameClaim, profile?.Username),
            (AuthOptions.NameClaim, profile?.FullName),
            (AuthOptions.EmailClaim, profile?.Email),
        })
        {
            if (value is not null)
            {
                claims.Add(new Claim(type, value));
            }
        }

        var token = new JwtSecurityToken(
            options.Issuer,
            options.Audience,
            claims,
            notBefore: now.UtcDateTime,
            expires: (now + lifetime).UtcDateTime,
            signingCredentials: new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    /// <summary>
    /// Why a token that passed every check of <see cref="Validation"/> still cannot be used, or null. A signature
    /// proves who made a token, not that its claims fit: uploads and jobs keep the user's id and names, so a
    /// token whose <c>sub</c> is missing, repeated, blank or too long, or whose names are too long, names no user
    /// the service could keep.
    /// </summary>
    public static string? Refusal(ClaimsPrincipal principal)
    {
        if (principal.FindAll(AuthOptions.UserClaim).ToList() is not [{ } subject] || !UserIds.IsValid(subject.Value))
        {
            return $"The token's '{AuthOptions.UserClaim}' must be one {UserIds.Rule}";
        }

        try
        {
            Profile(principal)?.Validate();
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The name fields the token carries (OpenID Connect's claim names), or null when it carries none.</summary>
    public static UserInfo? Profile(ClaimsPrincipal user) =>
        new UserInfo(user.FindFirstValue(AuthOptions.UsernameClaim), user.FindFirstValue(AuthOptions.NameClaim), user.FindFirstValue(AuthOptions.EmailClaim)) is var profile
        && profile != new UserInfo(null, null, null)
            ? profile
            : null;

    /// <summary>
    /// What a request's token must satisfy: HS256 only (an HS384/HS512 token made with the same key is refused).
    /// Encrypted tokens (JWE) are never accepted: no decryption key is set.
    /// </summary>
    public static TokenValidationParameters Validation(AuthOptions options, SymmetricSecurityKey key) => new()
    {
        ValidateIssuer = true,
        ValidIssuer = options.Issuer,
        ValidateAudience = true,
        ValidAudience = options.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = AuthOptions.UserClaim,
        RoleClaimType = AuthOptions.RoleClaim,
    };
}
