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
