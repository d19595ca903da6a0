using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Mixillo.Api.Auth;
using Mixillo.Errors;

namespace Mixillo.Api.Http;

/// <summary>The codes a route answers besides the ones every route of its kind may give, declared beside the route.</summary>
public sealed record ProblemCodes(IReadOnlyList<ErrorCode> Codes);

/// <summary>
/// Each route's problem responses in the OpenAPI document, from <see cref="ErrorCatalog"/>: one response per status,
/// its description listing the codes with what each means, and the body a <c>Problem</c> whose <c>code</c> is one of
/// the catalogue's.
/// </summary>
public static class ProblemResponses
{
    public const string Schema = "Problem";
    private const string ContentType = "application/problem+json";

    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params ErrorCode[] codes)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ProblemCodes(codes));

    public static Task DeclareAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var parameters = context.Description.ParameterDescriptions;
        var codes = new List<ErrorCode>();
        // Only a path string always binds; a number, a query value or a body may not parse.
        if (parameters.Any(p => p.Source != BindingSource.Path || p.Type != typeof(string)))
        {
            codes.Add(ErrorCatalog.BadRequest);
        }

        // A path value with a slash or dots leads to no route at all.
        if (parameters.Any(p => p.Source == BindingSource.Path))
        {
            codes.Add(ErrorCatalog.NotFound);
        }

        if (parameters.Any(p => p.Source == BindingSource.Body))
        {
            codes.AddRange([ErrorCatalog.PayloadTooLarge, ErrorCatalog.UnsupportedMediaType]);
        }

        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            codes.Add(ErrorCatalog.Unauthorized);
        }

        if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AuthOptions.AdminPolicy))
        {
            codes.Add(ErrorCatalog.Forbidden);
        }

        codes.AddRange(metadata.OfType<ProblemCodes>().SelectMany(p => p.Codes));
        codes.Add(ErrorCatalog.InternalError);

        operation.Responses ??= [];
        foreach (var status in codes.Distinct().Where(c => c.Status is not null).GroupBy(c => c.Status!.Value).OrderBy(g => g.Key))
        {
            operation.Responses[status.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = string.Join("; ", status.Select(c => $"`{c.Code}`: {c.When}")),
                Content = new Dictionary<string, OpenApiMediaType> { [ContentType] = new() { Schema = new OpenApiSchemaReference(Schema, context.Document) } },
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>The body of every problem: RFC 9457's members, the stable <c>code</c>, and <c>success: false</c>.</summary>
    public static void AddSchema(OpenApiDocument document) => document.AddComponent<IOpenApiSchema>(Schema, new OpenApiSchema
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "status", "code", "success" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "For people: what went wrong with this request." },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "For programs: the stable code (never renamed; see each response for the codes of its route).",
                Enum = [.. ErrorCatalog.All.Where(c => c.Status is not null).Select(c => JsonValue.Create(c.Code))],
            },
            ["success"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Always false." },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
        },
    });
}
