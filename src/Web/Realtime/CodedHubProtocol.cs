using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Collab.Wire;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Collab.Web.Realtime;

/// <summary>
/// One of SignalR's hub protocols (JSON, MessagePack), except that an invocation whose arguments do not bind (a string
/// where a number goes, a number past <c>int</c>, a fraction, a request that is not an object, the wrong number of
/// arguments) still reaches the hub's filter, as one <see cref="MalformedInvocation"/> argument, instead of being
/// answered by SignalR with an uncoded error that clients read as "transient, resend" (and would resend forever).
/// <see cref="CollabHubFilter"/> answers it <c>request.malformed</c>, naming the field but never repeating the value.
/// </summary>
internal sealed class CodedHubProtocol(IHubProtocol inner) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage failure && IsHubMethod(binder, failure.Target))
        {
            message = new InvocationMessage(failure.InvocationId, failure.Target, [MalformedInvocation.From(failure.BindingFailure.SourceException)]);
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

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

    /// <summary>
    /// Replaces SignalR's JSON protocol (registered by <c>AddSignalR</c>) with its coded form, and offers MessagePack
    /// beside it (<c>messagepack</c>, docs/protocol.md "Hub protocols"): the same messages, with the same names and
    /// the same refusals. Each client chooses one when it connects; JSON stays the default.
    /// </summary>
    public static void Use(IServiceCollection services)
    {
        foreach (var json in services.Where(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType == typeof(JsonHubProtocol)).ToList())
        {
            services.Remove(json);
        }

        services.AddSingleton<IHubProtocol>(provider => new CodedHubProtocol(new JsonHubProtocol(provider.GetRequiredService<IOptions<JsonHubProtocolOptions>>())));
        services.AddSingleton<IHubProtocol>(provider => new CodedHubProtocol(new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions
        {
            SerializerOptions = HubMessagePack.Options(
                provider.GetRequiredService<IOptions<JsonHubProtocolOptions>>().Value.PayloadSerializerOptions,
                SubmitOpRequestFormatter.Instance,
                WireOperationFormatter.Instance),
        }))));
    }
}

/// <summary>The argument of an invocation that did not bind: what was wrong, in words that never repeat the value sent.</summary>
public sealed record MalformedInvocation(string? Field, string Reason)
{
    internal static MalformedInvocation From(Exception bindingFailure)
    {
        if (Find<WireFieldException>(bindingFailure) is { } wire)
        {
            return Of(wire.Field);
        }

        if (Find<JsonException>(bindingFailure) is { } json)
        {
            return Of(FieldOf(json.Path));
        }

        return new MalformedInvocation(null, "The call does not have the arguments this method takes (one request object).");
    }

    private static MalformedInvocation Of(string? field) => new(
        field,
        field is null ? "The request is not an object of the expected shape." : $"The request's '{field}' is missing or of the wrong type, or out of range.");

    private static T? Find<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
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
