using System.Text.Json;
using Collab.Documents;

namespace Collab.Web.Realtime;

/// <summary>A hub request about one document: its id tags the invocation's span.</summary>
public interface IDocumentRequest
{
    string DocId { get; }
}

/// <summary><c>OpenDocument</c>: the last revision the client saw, or null for a snapshot.</summary>
public sealed record OpenDocumentRequest(string DocId, int? LastRevision) : IDocumentRequest;

/// <summary><c>SubmitOp</c>: one edit; <see cref="Op"/> is the operation's JSON wire form.</summary>
public sealed record SubmitOpRequest(string DocId, int BaseRevision, string ClientId, long ClientSeq, JsonElement Op, DateTimeOffset? ClientTime) : IDocumentRequest
{
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
public sealed record CloseDocumentRequest(string DocId) : IDocumentRequest;

/// <summary><c>UpdatePresence</c>: the client's selection at a revision it has, or null for none.</summary>
public sealed record UpdatePresenceRequest(string DocId, int Revision, Selection? Selection) : IDocumentRequest;

/// <summary><c>WatchSession</c> / <c>UnwatchSession</c>: a session of the caller's workshop's agenda.</summary>
public sealed record WatchSessionRequest(string SessionId);

/// <summary>Answer to <c>EnterWorkshop</c>: the workshop and who the token says the caller is.</summary>
public sealed record EnteredWorkshop(Collab.Workshops.WorkshopView Workshop, Caller Me);
