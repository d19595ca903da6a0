using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mixillo.Api.Http;

/// <summary>
/// The OpenAPI document: its servers from <see cref="ApiDocumentOptions"/> only (the generator's default copies the
/// request's Host header, so anyone could make the document point clients at their own host), and the bearer
/// scheme declared on every operation that needs a token; each operation's problem responses come from
/// <see cref="ProblemResponses"/>.
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "Bearer";

    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer(ProblemResponses.DeclareAsync);
        // Document transformers run after the operations are made, so this replaces the servers the generator took from the request.
        options.AddDocumentTransformer((document, context, _) =>
        {
            var settings = context.ApplicationServices.GetRequiredService<ApiDocumentOptions>();
            document.Servers = [.. settings.ServerUrlList.Select(url => new OpenApiServer { Url = url })];
            ProblemResponses.AddSchema(document);
            document.AddComponent<IOpenApiSecurityScheme>(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An HS256 token signed with the service's key (`token --user ID [--role admin]`); admins carry `role: admin`.",
            });
            return Task.CompletedTask;
        });
    }
}
