using System.Diagnostics;
using Collab.Diagnostics;
using Collab.Errors;
using Collab.Hosting.Operations;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// Every hub invocation passes here once, before the hub method:
/// <list type="number">
/// <item>the connection's budget for the method (<see cref="ConnectionState"/>): every method that can reach a grain is
/// rate limited (<c>rate.limited</c>);</item>
/// <item>the request's shape: arguments that did not bind (<see cref="MalformedInvocation"/>), a null request, or an
/// <see cref="IHubRequest"/> whose <see cref="IHubRequest.Check"/> refuses it (<c>request.malformed</c> or a precise
/// code), so nothing malformed reaches a grain;</item>
/// <item>errors: domain rejections become <see cref="HubException"/>s whose message is <c>"&lt;code&gt;: &lt;message&gt;"</c>,
/// the same codes as the HTTP problem details, logged at Debug with the code and ids only (a refusal is an answer to the
/// caller, not a fault of the server); availability faults become <c>server.unavailable</c>; anything else is a fault of
/// ours, logged at Error once, and answered <c>server.error</c>. No invocation fails without a code.</item>
/// </list>
/// Also tags the invocation's span with the workshop and document ids (never the op or the token) and measures
/// <c>SubmitOp</c> (<see cref="RealtimeMetrics"/>).
/// </summary>
internal sealed partial class CollabHubFilter(RealtimeOptions options, ILogger<CollabHubFilter> logger) : IHubFilter
{
    /// <summary>
    /// SignalR's dispatcher logs every failed invocation at Error with its stack trace, refusals included. This filter
    /// has already logged each failure at the level it deserves, so that category's Error lines are not written.
    /// </summary>
    public const string DispatcherLogCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        var submit = method == nameof(CollabHub.SubmitOp) && !HubWarmUp.Is(invocationContext.Context);
        var started = Stopwatch.GetTimestamp();
        if (submit)
        {
            RealtimeMetrics.Submitted();
        }

        // SignalR starts a span per invocation when traces are recorded (and only then): it gets our ids.
        var span = Activity.Current is { Source.Name: CollabOperations.SignalRActivitySource } invocation ? invocation : null;
        Tag(span, invocationContext);
        try
        {
            TakeBudget(invocationContext, method);
            CheckArguments(invocationContext);
            var result = await next(invocationContext);
            if (submit)
            {
                RealtimeMetrics.Acknowledged(Stopwatch.GetElapsedTime(started));
            }

            return result;
        }
        catch (CollabException rejection)
        {
            Rejected(span, submit, rejection.Code);
            LogRefused(logger, method, rejection.Code, WorkshopOf(invocationContext), DocumentOf(invocationContext));
            throw new HubException($"{rejection.Code}: {rejection.Message}");
        }
        catch (Exception e) when (ClusterFaults.IsUnavailable(e))
        {
            Rejected(span, submit, ClusterFaults.Code);
            LogUnavailable(logger, method, e.GetType().Name, WorkshopOf(invocationContext), DocumentOf(invocationContext));
            throw new HubException($"{ClusterFaults.Code}: The server could not reach the workshop's data just now (a server or the database is restarting); nothing was changed, send it again.");
        }
        catch (Exception e) when (e is not HubException)
        {
            Rejected(span, submit, ServerErrorCode);
            LogFault(logger, e, method, WorkshopOf(invocationContext), DocumentOf(invocationContext));
            throw new HubException($"{ServerErrorCode}: The server failed to handle '{method}'; it has been logged. Do not resend it as it is.");
        }
    }

    private const string ServerErrorCode = "server.error";

    private void TakeBudget(HubInvocationContext invocation, string method)
    {
        var connection = ConnectionState.Of(invocation.Context, options);
        var (bucket, what) = method switch
        {
            nameof(CollabHub.SubmitOp) => (connection.Ops, "ops"),
            nameof(CollabHub.UpdatePresence) => (connection.Presence, "presence updates"),
            _ => (connection.Calls, "calls"),
        };
        if (!bucket.TryTake())
        {
            throw new ValidationFailedException(
                "rate.limited", $"More than {bucket.PerSecond:0.#} {what} per second from this connection; slow down and send it again.", "request");
        }
    }

    private void CheckArguments(HubInvocationContext invocation)
    {
        // Every hub method takes one request object or nothing: a null is a malformed call.
        foreach (var argument in invocation.HubMethodArguments)
        {
            switch (argument)
            {
                case MalformedInvocation malformed:
                    throw HubRequestRules.Malformed(malformed.Field ?? "request", malformed.Reason);
                case IHubRequest request:
                    request.Check(options);
                    break;
                case null:
                    throw HubRequestRules.Malformed("request", $"'{invocation.HubMethodName}' takes one request object; it received null.");
            }
        }
    }

    private static void Rejected(Activity? span, bool submit, string code)
    {
        span?.SetStatus(ActivityStatusCode.Error, code);
        if (submit)
        {
            RealtimeMetrics.Rejected(code);
        }
    }

    private static string? WorkshopOf(HubInvocationContext invocation) => invocation.Context.User?.FindFirst(CollabClaims.Workshop)?.Value;

    /// <summary>The document id of a well-formed request (a malformed one is not repeated into logs or spans).</summary>
    private string? DocumentOf(HubInvocationContext invocation) =>
        invocation.HubMethodArguments is [IDocumentRequest { DocId: { Length: > 0 } docId }, ..] && docId.Length <= options.MaxIdLength ? docId : null;

    private void Tag(Activity? span, HubInvocationContext invocation)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(CollabTelemetry.WorkshopTag, WorkshopOf(invocation));
        if (DocumentOf(invocation) is { } docId)
        {
            span.SetTag(CollabTelemetry.DocumentTag, docId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub method {Method} refused: {Code} (workshop {WorkshopId}, document {DocId})")]
    private static partial void LogRefused(ILogger logger, string method, string code, string? workshopId, string? docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub method {Method} could not reach the cluster ({Fault}; workshop {WorkshopId}, document {DocId})")]
    private static partial void LogUnavailable(ILogger logger, string method, string fault, string? workshopId, string? docId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed (workshop {WorkshopId}, document {DocId})")]
    private static partial void LogFault(ILogger logger, Exception error, string method, string? workshopId, string? docId);
}
