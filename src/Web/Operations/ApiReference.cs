using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Collab.Web.Errors;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Collab.Web.Operations;

/// <summary>
/// The HTTP API's reference, generated from the minimal APIs: the OpenAPI document at <see cref="DocumentPath"/>
/// (summaries, request and response schemas, problem+json errors from <c>ProducesCollabProblems</c>, the bearer scheme
/// on every endpoint that needs a token) and a browsable reference at <see cref="UiPath"/> (Scalar, served from this
/// process: no CDN).
/// </summary>
public static class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string UiPath = "/scalar";
    public const string BearerScheme = "Bearer";

    public static IHostApplicationBuilder AddCollabApiReference(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Collab API",
                    Version = "v1",
                    Description =
                        "Create and run workshops, join with a code, manage documents and recommendations. Editing is real-time " +
                        "on the SignalR hub /hubs/collab (docs/protocol.md). Every error is application/problem+json with a " +
                        "stable `code` (and `field` for invalid input).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "The token from POST /api/join (or POST /api/workshops for a workshop's creator).",
                };
                return Task.CompletedTask;
            });
            openApi.AddOperationTransformer((operation, context, _) =>
            {
                // Problem answers say what the status means in Collab rather than just its reason phrase.
                foreach (var (status, response) in operation.Responses ?? [])
                {
                    if (response is OpenApiResponse problem && problem.Content?.ContainsKey(CollabProblems.ContentType) == true
                        && int.TryParse(status, System.Globalization.CultureInfo.InvariantCulture, out var code))
                    {
                        problem.Description = CollabProblems.Describe(code);
                    }
                }

                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
                    });
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapCollabApiReference(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi();
        endpoints.MapScalarApiReference(UiPath, scalar => scalar
            .WithTitle("Collab API")
            .AddPreferredSecuritySchemes(BearerScheme));
        return endpoints;
    }
}
