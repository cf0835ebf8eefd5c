using System.Diagnostics;
using System.IO.Pipelines;
using System.Security.Claims;
using Collab.Hosting.Health;
using Collab.Text;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Collab.Workshops;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Collab.Web.Realtime;

/// <summary>
/// Runs the hub's own code once when the node starts, before <c>/health/ready</c> answers, so that the first people on
/// a node that just (re)started do not wait for its first use (docs/performance.md, "The first open after a restart").
/// Its caller is what a token the node signs and validates leaves (issuance and bearer validation warmed too). One
/// connection per hub protocol goes through SignalR's own connection handler in process (no socket): the handshake,
/// then <c>EnterWorkshop</c>, <c>OpenDocument</c>, <c>SubmitOp</c> and <c>UpdatePresence</c> with real requests, each
/// answered by its typed refusal, since the warm-up caller belongs to a workshop that cannot exist
/// (<see cref="WorkshopId"/>: generated ids have no hyphen). Nothing is stored, joined or counted.
/// <para>
/// The hub knows the warm-up connection by a connection feature that only this class sets (<see cref="Is"/>): no
/// token or request can carry it, so no client can be taken for it. The warm-up never keeps a node out of service for
/// long: when no silo answers it tries again every second for <see cref="Budget"/> (the <c>cluster</c> check then says
/// why the node is not ready), and any other failure is logged as a warning and leaves the node ready, only cold.
/// </para>
/// </summary>
public sealed partial class HubWarmUp(
    HubConnectionHandler<CollabHub> hub,
    IHubProtocolResolver protocols,
    TokenIssuer tokens,
    IOptionsMonitor<JwtBearerOptions> bearer,
    IHostApplicationLifetime lifetime,
    ILogger<HubWarmUp> logger) : BackgroundService, IReadinessGate
{
    /// <summary>The warm-up caller's workshop: never a real one (<c>WorkshopsApi</c> makes ids of 12 letters and digits).</summary>
    public const string WorkshopId = "collab-warm-up";

    /// <summary>How long the whole warm-up may take (waiting for the cluster included) before the node is ready without it.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private const string DocId = WorkshopId + ".none";

    /// <summary>Null while it runs; then what <c>/health/ready</c> says of it.</summary>
    private volatile string? _outcome;

    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What each protocol's calls were answered, once it ran (for its log line and tests): refusal codes only.</summary>
    public IReadOnlyList<string> Answers { get; private set; } = [];

    /// <summary>True for the warm-up's own connection: the hub takes nothing for it and counts nothing.</summary>
    public static bool Is(HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<WarmUpConnection>() is not null;
    }

    public string Name => "warm-up";

    public (bool Open, string Description) State => _outcome is { } outcome ? (true, outcome) : (false, "Warming up the hub.");

    public Task WhenOpen => _opened.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Kestrel, the silo (embedded) or the cluster client (clustered) are started by then.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken);
            }

            using var budget = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            budget.CancelAfter(Budget);
            var clock = Stopwatch.StartNew();
            var caller = await SignInAsync();
            var answers = new List<string>();
            foreach (var protocol in protocols.AllProtocols)
            {
                var codes = await RunAsync(protocol, caller, budget.Token);

                // A web node may start before any silo admits it: the calls then only reach the edge. Again, once a second,
                // while the budget lasts; after it the cluster check says why the node is not ready, not this.
                while (codes.Contains(ClusterFaults.Code) && clock.Elapsed + TimeSpan.FromSeconds(1) < Budget)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), budget.Token);
                    codes = await RunAsync(protocol, caller, budget.Token);
                }

                answers.Add($"{protocol.Name}: {string.Join(", ", codes)}");
            }

            Answers = answers;
            LogWarmedUp(logger, clock.Elapsed.TotalMilliseconds, string.Join("; ", answers));
            _outcome = "The hub has run once.";
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before it finished: nothing to report.
        }
        catch (Exception e)
        {
            // Never a reason to stop the process or keep the node out of service: it is only slower at first.
            LogFailed(logger, e.GetType().Name, e.Message);
        }
        finally
        {
            _outcome ??= "Ready without warming up the hub (see the log).";
            _opened.TrySetResult();
        }
    }

    /// <summary>
    /// The warm-up's caller as a token this node signs and then validates leaves it (<see cref="CollabClaims.Keep"/>):
    /// so the token's issuance (every join) and the bearer validation (every request and connection) have run too. Only
    /// the workshop grain's check that follows a validation is not run here: the hub's calls ask the same grain.
    /// </summary>
    private async Task<ClaimsPrincipal> SignInAsync()
    {
        var token = tokens.Issue(WorkshopId, new ParticipantView("warm-up", "warm-up", Role.Participant, null, "en", null, null, Joined: true));
        var jwt = bearer.Get(JwtBearerDefaults.AuthenticationScheme);
        var validated = await jwt.TokenHandlers[0].ValidateTokenAsync(token.Token, jwt.TokenValidationParameters);
        return validated.IsValid
            ? CollabClaims.Keep(new ClaimsPrincipal(validated.ClaimsIdentity))
            : throw new InvalidOperationException($"The node did not accept its own token: {validated.Exception?.Message}");
    }

    /// <summary>One connection: the handshake, then each call in turn; the code of each answer (all refusals).</summary>
    private async Task<List<string>> RunAsync(IHubProtocol protocol, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var toHub = new Pipe();
        var fromHub = new Pipe();
        var connection = new DefaultConnectionContext(
            $"warm-up-{protocol.Name}", new Duplex(toHub.Reader, fromHub.Writer), new Duplex(fromHub.Reader, toHub.Writer))
        {
            User = caller,
        };
        connection.Features.Set(WarmUpConnection.Instance);
        var running = Task.Run(() => hub.OnConnectedAsync(connection), CancellationToken.None);
        try
        {
            HandshakeProtocol.WriteRequestMessage(new HandshakeRequestMessage(protocol.Name, protocol.Version), toHub.Writer);
            await toHub.Writer.FlushAsync(cancellationToken);
            await ReadHandshakeAsync(fromHub.Reader, cancellationToken);

            var codes = new List<string>();
            var calls = new (string Method, object? Request)[]
            {
                (nameof(CollabHub.EnterWorkshop), null),
                (nameof(CollabHub.OpenDocument), new OpenDocumentRequest(DocId, null)),
                (nameof(CollabHub.SubmitOp), new SubmitOpRequest(DocId, 0, "warm-up", 1, WireOperation.Of(TextOperation.Of(OpComponent.Insert("x"))), null)),
                (nameof(CollabHub.UpdatePresence), new UpdatePresenceRequest(DocId, 0, null)),
            };
            for (var i = 0; i < calls.Length; i++)
            {
                var (method, request) = calls[i];
                var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                protocol.WriteMessage(new InvocationMessage(id, method, request is null ? [] : [request]), toHub.Writer);
                await toHub.Writer.FlushAsync(cancellationToken);
                codes.Add(await ReadCompletionAsync(protocol, fromHub.Reader, id, cancellationToken));
            }

            return codes;
        }
        finally
        {
            // The end of the input is the end of the connection: the hub's OnDisconnectedAsync runs, then the handler
            // returns (its writes, if any were left, fail instead of waiting for a reader).
            await toHub.Writer.CompleteAsync();
            await fromHub.Reader.CompleteAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
    }

    private static async Task ReadHandshakeAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (HandshakeProtocol.TryParseResponseMessage(ref buffer, out var response))
            {
                reader.AdvanceTo(buffer.Start);
                if (response.Error is { } error)
                {
                    throw new InvalidOperationException($"The hub refused the warm-up's handshake: {error}");
                }

                return;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                throw new InvalidOperationException("The hub closed the warm-up connection during the handshake.");
            }
        }
    }

    /// <summary>Reads until the completion of <paramref name="invocationId"/>; its error code, or "ok".</summary>
    private static async Task<string> ReadCompletionAsync(IHubProtocol protocol, PipeReader reader, string invocationId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            try
            {
                while (protocol.TryParseMessage(ref buffer, AnyResult.Instance, out var message))
                {
                    switch (message)
                    {
                        case CompletionMessage completion when completion.InvocationId == invocationId:
                            return completion.Error is { } error ? CodeOf(error) : "ok";
                        case CloseMessage close:
                            throw new InvalidOperationException($"The hub closed the warm-up connection: {close.Error}");
                    }
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (read.IsCompleted)
            {
                throw new InvalidOperationException("The hub closed the warm-up connection before answering.");
            }
        }
    }

    /// <summary>The code of a refusal: the text before the first colon of the hub exception's message (after SignalR's prefix with detailed errors).</summary>
    private static string CodeOf(string error)
    {
        const string Detailed = nameof(HubException) + ": ";
        var at = error.IndexOf(Detailed, StringComparison.Ordinal);
        return (at < 0 ? error : error[(at + Detailed.Length)..]).Split(':', 2)[0];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up the hub in {ElapsedMs:0} ms (answers: {Answers})")]
    private static partial void LogWarmedUp(ILogger logger, double elapsedMs, string answers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not warm up the hub ({Fault}: {Reason}); ready all the same, its first calls will be slower")]
    private static partial void LogFailed(ILogger logger, string fault, string reason);

    /// <summary>The feature that marks the warm-up's connection.</summary>
    private sealed class WarmUpConnection
    {
        public static readonly WarmUpConnection Instance = new();
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Answers are only looked at for their error: any result binds as an object.</summary>
    private sealed class AnyResult : IInvocationBinder
    {
        public static readonly AnyResult Instance = new();

        public Type GetReturnType(string invocationId) => typeof(object);

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [];

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
