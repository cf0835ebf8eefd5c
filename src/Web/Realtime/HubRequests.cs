using System.Text.Json;
using Collab.Documents;

namespace Collab.Web.Realtime;

/// <summary><c>OpenDocument</c>: the last revision the client saw, or null for a snapshot.</summary>
public sealed record OpenDocumentRequest(string DocId, int? LastRevision);

/// <summary><c>SubmitOp</c>: one edit; <see cref="Op"/> is the operation's JSON wire form.</summary>
public sealed record SubmitOpRequest(string DocId, int BaseRevision, string ClientId, long ClientSeq, JsonElement Op, DateTimeOffset? ClientTime);

/// <summary><c>CloseDocument</c>.</summary>
public sealed record CloseDocumentRequest(string DocId);

/// <summary><c>UpdatePresence</c>: the client's selection at a revision it has, or null for none.</summary>
public sealed record UpdatePresenceRequest(string DocId, int Revision, Selection? Selection);

/// <summary><c>WatchSession</c> / <c>UnwatchSession</c>: a session of the caller's workshop's agenda.</summary>
public sealed record WatchSessionRequest(string SessionId);

/// <summary>Answer to <c>EnterWorkshop</c>: the workshop and who the token says the caller is.</summary>
public sealed record EnteredWorkshop(Collab.Workshops.WorkshopView Workshop, Caller Me);
