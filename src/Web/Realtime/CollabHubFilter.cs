using Collab.Errors;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// Maps domain rejections to <see cref="HubException"/>s whose message is <c>"&lt;code&gt;: &lt;message&gt;"</c>, the
/// same codes as the HTTP problem details. The connection stays open. Anything else is SignalR's generic error.
/// </summary>
internal sealed partial class CollabHubFilter(ILogger<CollabHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (CollabException rejection)
        {
            throw new HubException($"{rejection.Code}: {rejection.Message}");
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
        {
            LogUnavailable(logger, e, invocationContext.HubMethodName);
            throw new HubException("server.unavailable: The server could not reach the document in time; send it again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub method {Method} could not reach the cluster")]
    private static partial void LogUnavailable(ILogger logger, Exception error, string method);
}
