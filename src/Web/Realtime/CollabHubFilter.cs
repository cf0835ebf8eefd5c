using System.Diagnostics;
using Collab.Diagnostics;
using Collab.Errors;
using Collab.Hosting.Operations;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// Every hub invocation passes here once. Maps domain rejections to <see cref="HubException"/>s whose message is
/// <c>"&lt;code&gt;: &lt;message&gt;"</c>, the same codes as the HTTP problem details; the connection stays open. Anything
/// else is SignalR's generic error. Also tags the invocation's span with the workshop and document ids (never the op or
/// the token) and measures <c>SubmitOp</c> (<see cref="RealtimeMetrics"/>).
/// </summary>
internal sealed partial class CollabHubFilter(ILogger<CollabHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var submit = invocationContext.HubMethodName == nameof(CollabHub.SubmitOp);
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
            throw new HubException($"{rejection.Code}: {rejection.Message}");
        }
        catch (Exception e) when (ClusterFaults.IsUnavailable(e))
        {
            Rejected(span, submit, ClusterFaults.Code);
            LogUnavailable(logger, e, invocationContext.HubMethodName);
            throw new HubException($"{ClusterFaults.Code}: The server could not reach the document in time; send it again.");
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

    private static void Tag(Activity? span, HubInvocationContext invocation)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(CollabTelemetry.WorkshopTag, invocation.Context.User?.FindFirst(CollabClaims.Workshop)?.Value);
        if (invocation.HubMethodArguments is [IDocumentRequest { DocId: var docId }, ..])
        {
            span.SetTag(CollabTelemetry.DocumentTag, docId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub method {Method} could not reach the cluster")]
    private static partial void LogUnavailable(ILogger logger, Exception error, string method);
}
