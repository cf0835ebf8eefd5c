using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Collab.Web.Realtime;

/// <summary>
/// SignalR's JSON hub protocol, except that an invocation whose arguments do not bind (a string where a number goes, a
/// number past <c>int</c>, a fraction, a request that is not an object, the wrong number of arguments) still reaches the
/// hub's filter, as one <see cref="MalformedInvocation"/> argument, instead of being answered by SignalR with an uncoded
/// error that clients read as "transient, resend" (and would resend forever). <see cref="CollabHubFilter"/> answers it
/// <c>request.malformed</c>, naming the field but never repeating the value.
/// </summary>
internal sealed class CodedJsonHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    private readonly JsonHubProtocol _inner = new(options);

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!_inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage failure && IsHubMethod(binder, failure.Target))
        {
            message = new InvocationMessage(failure.InvocationId, failure.Target, [MalformedInvocation.From(failure.BindingFailure.SourceException)]);
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);

    /// <summary>Unknown methods keep SignalR's own answer: there is no method to refuse them on.</summary>
    private static bool IsHubMethod(IInvocationBinder binder, string target)
    {
        try
        {
            binder.GetParameterTypes(target);
            return true;
        }
        catch (HubException)
        {
            return false;
        }
    }

    /// <summary>Replaces SignalR's JSON protocol (registered by <c>AddSignalR</c>) with this one.</summary>
    public static void Use(IServiceCollection services)
    {
        foreach (var json in services.Where(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType == typeof(JsonHubProtocol)).ToList())
        {
            services.Remove(json);
        }

        services.AddSingleton<IHubProtocol, CodedJsonHubProtocol>();
    }
}

/// <summary>The argument of an invocation that did not bind: what was wrong, in words that never repeat the value sent.</summary>
public sealed record MalformedInvocation(string? Field, string Reason)
{
    internal static MalformedInvocation From(Exception bindingFailure)
    {
        if (FindJson(bindingFailure) is { } json)
        {
            var field = FieldOf(json.Path);
            return new MalformedInvocation(
                field,
                field is null ? "The request is not an object of the expected shape." : $"The request's '{field}' is missing or of the wrong type, or out of range.");
        }

        return new MalformedInvocation(null, "The call does not have the arguments this method takes (one request object).");
    }

    private static JsonException? FindJson(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary><c>$.baseRevision</c> → <c>baseRevision</c>; <c>$.selection.anchor</c> → <c>selection.anchor</c>; <c>$</c> → null.</summary>
    private static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$" || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        var field = path[2..];
        return field.Length <= 100 && field.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '[' or ']') ? field : null;
    }
}
