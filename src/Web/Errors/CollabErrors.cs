using System.Text.Json;
using Collab.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Collab.Web.Errors;

/// <summary>
/// The one place where rejections become HTTP answers: problem+json with the stable error <c>code</c> (and
/// <c>field</c> for validation), so clients switch on the code, never on the wording. Domain rejections come with their
/// code; what the framework refuses by itself (a body it cannot read, a wrong content type, an oversize body, an
/// unknown route or method) gets one from its status here, in every environment.
/// </summary>
public static class CollabErrors
{
    /// <summary>
    /// The largest request body the API reads (<c>request.too_large</c>, 413, beyond): a plenary document's whole
    /// text (<c>TextLimits.MaxDocumentLength</c>, 1 Mi characters) as JSON fits; endpoints may set less
    /// (<see cref="IRequestSizeLimitMetadata"/>, e.g. the roster upload).
    /// </summary>
    public const long MaxRequestBodyBytes = 8 * 1024 * 1024;

    public static IHostApplicationBuilder AddCollabErrors(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Ours first: the framework's writer declines when the request accepts no JSON (a browser opening an API address
        // asks for text/html), which left such answers empty, or turned them into a 500.
        builder.Services.AddSingleton<IProblemDetailsWriter, CollabProblemWriter>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<CollabExceptionHandler>();

        // Unreadable bodies and unbindable values throw, in Production too, so that they reach the handler below and
        // get their code; left to itself the framework answers 400/415 with an empty body outside Development.
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>
    /// The error middleware, outermost first: the exception handler, then problem+json for every status the framework
    /// sets without a body (404 unknown route, 405 wrong method …), then the body size limit for this endpoint.
    /// </summary>
    public static WebApplication UseCollabErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            LimitBody(context);
            return next(context);
        });
        return app;
    }

    /// <summary>HTTP status for each kind of rejection.</summary>
    public static int StatusCodeOf(CollabException exception) => exception switch
    {
        ValidationFailedException => StatusCodes.Status400BadRequest,
        NotFoundException => StatusCodes.Status404NotFound,
        ConflictException => StatusCodes.Status409Conflict,
        ForbiddenException => StatusCodes.Status403Forbidden,
        UnauthenticatedException => StatusCodes.Status401Unauthorized,
        UnavailableException => StatusCodes.Status503ServiceUnavailable,
        RateLimitedException => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>Problem details for a rejection; <c>code</c> (and <c>field</c>) go into the extensions.</summary>
    public static ProblemDetails ToProblem(CollabException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var problem = new ProblemDetails
        {
            Status = StatusCodeOf(exception),
            Title = exception.Message,
            Type = TypeOf(exception.Code),
        };
        problem.Extensions["code"] = exception.Code;
        if (exception is ValidationFailedException { Field: var field })
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }

    /// <summary>
    /// The code of an error the framework raised by itself, from its status alone: the answer a client switches on when
    /// no rule of ours was involved.
    /// </summary>
    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "request.malformed",
        StatusCodes.Status401Unauthorized => "auth.required",
        StatusCodes.Status403Forbidden => "auth.forbidden",
        StatusCodes.Status404NotFound => "route.not_found",
        StatusCodes.Status405MethodNotAllowed => "request.method_not_allowed",
        StatusCodes.Status406NotAcceptable => "request.not_acceptable",
        StatusCodes.Status408RequestTimeout => "request.timeout",
        StatusCodes.Status411LengthRequired => "request.length_required",
        StatusCodes.Status413PayloadTooLarge => "request.too_large",
        StatusCodes.Status414UriTooLong => "request.uri_too_long",
        StatusCodes.Status415UnsupportedMediaType => "request.unsupported_media_type",
        StatusCodes.Status429TooManyRequests => "rate.limited",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "request.headers_too_large",
        StatusCodes.Status503ServiceUnavailable => ClusterFaults.Code,
        >= 400 and < 500 => "request.invalid",
        _ => "server.error",
    };

    /// <summary>What each framework-made code means, for a person (the problem's title).</summary>
    private static string TitleOf(string code) => code switch
    {
        "request.malformed" => "The request could not be read.",
        "auth.required" => "Sign in first: send 'Authorization: Bearer <token>' from POST /api/join.",
        "auth.forbidden" => "Your role may not do this.",
        "route.not_found" => "There is no such address in this API; see /openapi/v1.json.",
        "request.method_not_allowed" => "This address does not take this HTTP method; see /openapi/v1.json.",
        "request.too_large" => "The request body is larger than this address accepts.",
        "request.unsupported_media_type" => "The body's Content-Type is not one this address reads (JSON bodies need 'application/json').",
        "rate.limited" => "Too many requests; wait a second and try again.",
        "server.unavailable" => "The server could not reach the workshop's data in time; send the request again.",
        "server.error" => "The server failed to answer this request; nothing was changed by it. If it happens again, tell the organisers.",
        _ => "The request was refused.",
    };

    private static string TypeOf(string code) => $"https://collab.invalid/errors/{code}";

    /// <summary>Every problem this node writes leaves with a code: ours keep theirs, the framework's get one from the status.</summary>
    internal static void Stamp(ProblemDetails problem)
    {
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var code = CodeOf(problem.Status ?? StatusCodes.Status500InternalServerError);
        problem.Extensions["code"] = code;
        problem.Type = TypeOf(code);
        problem.Title = TitleOf(code);

        // The framework's own detail may quote the exception of a fault; a client has no use for it.
        problem.Detail = null;
        problem.Extensions.Remove("exception");
        problem.Extensions.Remove("errors");
    }

    /// <summary>
    /// The body size limit of this request: the endpoint's (<see cref="IRequestSizeLimitMetadata"/>) or
    /// <see cref="MaxRequestBodyBytes"/>. A body that declares more is refused before anything reads it; a chunked one
    /// when reading passes the limit (Kestrel's 413, mapped to <c>request.too_large</c> by the handler).
    /// </summary>
    private static void LimitBody(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxRequestBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException($"The request body has {context.Request.ContentLength} bytes; this address accepts at most {limit}.", StatusCodes.Status413PayloadTooLarge);
        }
    }

    /// <summary>The problem for a request the framework could not read: its status, our code, and the JSON path at fault.</summary>
    internal static ProblemDetails ToProblem(BadHttpRequestException badRequest)
    {
        var code = CodeOf(badRequest.StatusCode);
        var problem = new ProblemDetails
        {
            Status = badRequest.StatusCode,
            Type = TypeOf(code),

            // The framework's messages name the parameter and the expected type, never the body's content; a value bound
            // from the route or query string is echoed back to its own sender only (this answer is not logged).
            Title = code == "request.malformed" ? "The request could not be read: " + badRequest.Message : badRequest.Message,
        };
        problem.Extensions["code"] = code;
        if (FieldOf(badRequest) is { } field)
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }

    /// <summary>The body member a JSON error is about (<c>$.agenda[0].day</c> → <c>agenda[0].day</c>), when known.</summary>
    private static string? FieldOf(BadHttpRequestException badRequest)
    {
        for (Exception? inner = badRequest.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException { Path: { Length: > 0 } path })
            {
                var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
                return field.Length == 0 ? null : field;
            }
        }

        return null;
    }
}

/// <summary>
/// Writes every problem of this node, whoever asks: <c>application/problem+json</c> with its <c>code</c> (stamped from the
/// status when the framework made it) and the trace id, whatever the request's <c>Accept</c> header says.
/// </summary>
internal sealed class CollabProblemWriter(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        var http = context.HttpContext;
        problem.Status ??= http.Response.StatusCode;
        CollabErrors.Stamp(problem);
        problem.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, CollabProblems.ContentType));
    }
}

/// <summary>Too many attempts of one kind in a short time; nothing was done. Maps to 429 with <c>Retry-After</c>.</summary>
public sealed class RateLimitedException(string message) : CollabException("rate.limited", message);

internal sealed partial class CollabExceptionHandler(IProblemDetailsService problems, ILogger<CollabExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case CollabException rejection:
                problem = CollabErrors.ToProblem(rejection);
                if (rejection is RateLimitedException or UnavailableException)
                {
                    httpContext.Response.Headers.RetryAfter = "1";
                }

                break;
            case BadHttpRequestException badRequest:
                // Unreadable body, wrong content type, a value of the wrong type, a body too large: the caller's
                // mistake, not ours.
                problem = CollabErrors.ToProblem(badRequest);
                break;
            case var fault when ClusterFaults.IsUnavailable(fault):
                // The cluster did not answer (a silo just died, or is starting): nothing was decided; the same request
                // may be sent again in a moment, as the hub's server.unavailable says.
                LogUnavailable(logger, fault, httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName);
                problem = CollabErrors.ToProblem(ClusterFaults.Unavailable("The server could not reach the workshop's data in time; send the request again."));
                httpContext.Response.Headers.RetryAfter = "1";
                break;
            default:
                // A fault of ours: the framework logs it at Error and answers 500; the problem gets its code (server.error).
                return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Endpoint} could not reach the cluster")]
    private static partial void LogUnavailable(ILogger logger, Exception error, string method, string? endpoint);
}
