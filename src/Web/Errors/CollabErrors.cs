using Collab.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Collab.Web.Errors;

/// <summary>
/// The one place where domain rejections become HTTP answers: problem+json with the stable error <c>code</c>
/// (and <c>field</c> for validation), so clients switch on the code, never on the wording.
/// </summary>
public static class CollabErrors
{
    public static IHostApplicationBuilder AddCollabErrors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<CollabExceptionHandler>();
        return builder;
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
            Type = $"https://collab.invalid/errors/{exception.Code}",
        };
        problem.Extensions["code"] = exception.Code;
        if (exception is ValidationFailedException { Field: var field })
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }
}

internal sealed class CollabExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case CollabException rejection:
                problem = CollabErrors.ToProblem(rejection);
                break;
            case BadHttpRequestException badRequest:
                // Unreadable body, wrong content type, a value of the wrong type: the caller's mistake, not ours.
                problem = new ProblemDetails
                {
                    Status = badRequest.StatusCode,
                    Title = "The request could not be read: " + badRequest.Message,
                    Type = "https://collab.invalid/errors/request.malformed",
                };
                problem.Extensions["code"] = "request.malformed";
                break;
            case var fault when ClusterFaults.IsUnavailable(fault):
                // The cluster did not answer (a silo just died, or is starting): nothing was decided; the same request
                // may be sent again in a moment, as the hub's server.unavailable says.
                problem = CollabErrors.ToProblem(ClusterFaults.Unavailable("The server could not reach the workshop's data in time; send the request again."));
                httpContext.Response.Headers.RetryAfter = "1";
                break;
            default:
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
}
