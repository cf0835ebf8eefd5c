using System.Buffers;
using System.Text;
using Collab.Documents;
using Collab.Errors;
using Collab.Wire;
using MessagePack;
using MessagePack.Formatters;

namespace Collab.Web.Realtime;

/// <summary>
/// A hub request. <see cref="CollabHubFilter"/> checks its shape (<see cref="Check"/>) before the method runs, so a
/// malformed call is refused with a typed code before it can reach a grain, join a group or activate anything.
/// </summary>
public interface IHubRequest
{
    /// <summary>Throws a <see cref="ValidationFailedException"/> (<c>request.malformed</c> or a more precise code) for a malformed request.</summary>
    void Check(RealtimeOptions limits);
}

/// <summary>A hub request about one document: its id tags the invocation's span.</summary>
public interface IDocumentRequest : IHubRequest
{
    string DocId { get; }
}

/// <summary><c>OpenDocument</c>: the last revision the client saw, or null for a snapshot.</summary>
public sealed record OpenDocumentRequest(string DocId, int? LastRevision) : IDocumentRequest
{
    public void Check(RealtimeOptions limits) => HubRequestRules.Id(DocId, "docId", limits);
}

/// <summary>
/// <c>SubmitOp</c>: one edit. <see cref="Op"/> is bound by the hub protocol straight from its wire form
/// (<see cref="WireOperation"/>); its refusal, if any, is answered after the request's shape and the document's id.
/// </summary>
public sealed record SubmitOpRequest(string DocId, int BaseRevision, string ClientId, long ClientSeq, WireOperation Op, DateTimeOffset? ClientTime) : IDocumentRequest
{
    public void Check(RealtimeOptions limits)
    {
        HubRequestRules.Id(DocId, "docId", limits);
        if (ClientId is null)
        {
            throw HubRequestRules.Malformed("clientId", "'clientId' is required.");
        }

        if (BaseRevision < 0)
        {
            throw HubRequestRules.Malformed("baseRevision", "'baseRevision' is a revision (0 or more).");
        }

        if (Op.ShapeRefusal() is { } notAnArray)
        {
            throw notAnArray;
        }
    }

    /// <summary>
    /// What <c>ToString</c> shows: SignalR logs every invocation with its arguments (at Debug), and the op holds the text
    /// a person typed, which never goes to a log.
    /// </summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"DocId = {DocId}, BaseRevision = {BaseRevision}, ClientId = {ClientId}, ClientSeq = {ClientSeq}, Op = (not shown), ClientTime = {ClientTime:O}");
        return true;
    }
}

/// <summary><c>CloseDocument</c>.</summary>
public sealed record CloseDocumentRequest(string DocId) : IDocumentRequest
{
    public void Check(RealtimeOptions limits) => HubRequestRules.Id(DocId, "docId", limits);
}

/// <summary><c>UpdatePresence</c>: the client's selection at a revision it has, or null for none.</summary>
public sealed record UpdatePresenceRequest(string DocId, int Revision, Selection? Selection) : IDocumentRequest
{
    public void Check(RealtimeOptions limits)
    {
        HubRequestRules.Id(DocId, "docId", limits);
        if (Revision < 0)
        {
            throw HubRequestRules.Malformed("revision", "'revision' is a revision (0 or more).");
        }

        if (Selection is { Anchor: < 0 } or { Head: < 0 })
        {
            throw HubRequestRules.Malformed("selection", "A selection's 'anchor' and 'head' are positions (0 or more).");
        }
    }
}

/// <summary><c>WatchSession</c> / <c>UnwatchSession</c>: a session of the caller's workshop's agenda.</summary>
public sealed record WatchSessionRequest(string SessionId) : IHubRequest
{
    public void Check(RealtimeOptions limits) => HubRequestRules.Id(SessionId, "sessionId", limits);
}

/// <summary>Answer to <c>EnterWorkshop</c>: the workshop and who the token says the caller is.</summary>
public sealed record EnteredWorkshop(Collab.Workshops.WorkshopView Workshop, Caller Me);

/// <summary>
/// Bounds on what a client sends on the hub (docs/protocol.md, "Limits"). Ids are short printable ASCII: a client never
/// makes the server keep, log or push a string longer than these.
/// </summary>
public static class HubRequestRules
{
    public const string MalformedCode = "request.malformed";

    /// <summary>A document or session id: 1 to <see cref="RealtimeOptions.MaxIdLength"/> of <c>[A-Za-z0-9._:-]</c>.</summary>
    public static void Id(string? id, string field, RealtimeOptions limits)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw Malformed(field, $"'{field}' is required.");
        }

        if (id.Length > limits.MaxIdLength || !IsIdText(id))
        {
            throw Malformed(field, $"'{field}' has 1–{limits.MaxIdLength} letters, digits, '.', '_', '-' or ':'.");
        }
    }

    public static ValidationFailedException Malformed(string field, string message) => new(MalformedCode, message, field);

    private static bool IsIdText(string text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Binds a <see cref="SubmitOpRequest"/> from MessagePack with the JSON protocol's rules: names ignoring case, unknown
/// names skipped, a missing number is 0, a number of the wrong type or out of range is refused naming its field
/// (<see cref="WireFieldException"/>, answered <c>request.malformed</c>), and the op read by <see cref="WireOperationFormatter"/>.
/// </summary>
internal sealed class SubmitOpRequestFormatter : IMessagePackFormatter<SubmitOpRequest?>
{
    public static readonly SubmitOpRequestFormatter Instance = new();

    public SubmitOpRequest? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new WireFieldException(null);
        }

        string? docId = null, clientId = null;
        int baseRevision = 0;
        long clientSeq = 0;
        WireOperation op = default;
        DateTimeOffset? clientTime = null;
        var entries = reader.ReadMapHeader();
        options.Security.DepthStep(ref reader);
        for (var i = 0; i < entries; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw new WireFieldException(null);
            }

            var sequence = reader.ReadStringSequence() ?? default;
            ReadOnlySpan<byte> key = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
            if (Ascii.EqualsIgnoreCase(key, "op"u8))
            {
                op = WireOperationFormatter.Instance.Deserialize(ref reader, options);
            }
            else if (Ascii.EqualsIgnoreCase(key, "docId"u8))
            {
                docId = NullableString(ref reader, "docId");
            }
            else if (Ascii.EqualsIgnoreCase(key, "baseRevision"u8))
            {
                baseRevision = HubMessagePack.ReadInt32(ref reader, "baseRevision");
            }
            else if (Ascii.EqualsIgnoreCase(key, "clientId"u8))
            {
                clientId = NullableString(ref reader, "clientId");
            }
            else if (Ascii.EqualsIgnoreCase(key, "clientSeq"u8))
            {
                clientSeq = HubMessagePack.ReadInt64(ref reader, "clientSeq");
            }
            else if (Ascii.EqualsIgnoreCase(key, "clientTime"u8))
            {
                clientTime = reader.TryReadNil() ? null : HubMessagePack.ReadTime(ref reader, "clientTime");
            }
            else
            {
                HubMessagePack.Skip(ref reader);
            }
        }

        reader.Depth--;
        return new SubmitOpRequest(docId!, baseRevision, clientId!, clientSeq, op, clientTime);
    }

    private static string? NullableString(ref MessagePackReader reader, string field) =>
        reader.TryReadNil() ? null : HubMessagePack.ReadString(ref reader, field);

    public void Serialize(ref MessagePackWriter writer, SubmitOpRequest? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(value.ClientTime is null ? 5 : 6);
        writer.Write("docId");
        writer.Write(value.DocId);
        writer.Write("baseRevision");
        writer.Write(value.BaseRevision);
        writer.Write("clientId");
        writer.Write(value.ClientId);
        writer.Write("clientSeq");
        writer.Write(value.ClientSeq);
        writer.Write("op");
        WireOperationFormatter.Instance.Serialize(ref writer, value.Op, options);
        if (value.ClientTime is { } clientTime)
        {
            writer.Write("clientTime");
            HubMessagePack.WriteTime(ref writer, clientTime);
        }
    }
}
