using Collab.Text;

namespace Collab.BareHub;

/// <summary>Every document, in memory, each with its own lock: the whole "database" of the yardstick.</summary>
internal sealed class BareDocuments
{
    private readonly Dictionary<string, BareDocument> _documents = [];
    private int _next;

    public BareDocument Create(string workshopId, string text)
    {
        lock (_documents)
        {
            var document = new BareDocument($"{workshopId}.plenary.{++_next:x8}", text);
            _documents.Add(document.DocId, document);
            return document;
        }
    }

    public BareDocument? Find(string docId)
    {
        lock (_documents)
        {
            return _documents.GetValueOrDefault(docId);
        }
    }
}

/// <summary>
/// One document's sequencer: the text, every committed op, and the last seq of each client (so a resent op is acked
/// again instead of applied twice). Not durable, not bounded: the yardstick, not a server.
/// </summary>
internal sealed class BareDocument(string docId, string text)
{
    private readonly List<CommittedOpDto> _log = [];
    private readonly Dictionary<string, (long Seq, int Revision)> _clients = [];

    public string DocId { get; } = docId;

    public object Gate { get; } = new();

    public string Text { get; private set; } = text;

    public int Revision => _log.Count;

    /// <summary>Ops after <paramref name="revision"/>; call under <see cref="Gate"/>.</summary>
    public List<CommittedOpDto> OpsAfter(int revision) => _log.GetRange(revision, _log.Count - revision);

    /// <summary>
    /// Transforms <paramref name="op"/> over everything committed since its base revision and appends it; call under
    /// <see cref="Gate"/>. Returns null for an op this client already sent (its ack is <paramref name="acked"/>).
    /// </summary>
    public CommittedOpDto? Commit(SubmitOpRequest request, TextOperation op, Participant author, out SubmitResultDto acked)
    {
        if (_clients.TryGetValue(request.ClientId, out var mark) && request.ClientSeq <= mark.Seq)
        {
            acked = new SubmitResultDto(mark.Revision, _log[mark.Revision - 1].Op);
            return null;
        }

        if (request.BaseRevision < 0 || request.BaseRevision > Revision)
        {
            throw new Microsoft.AspNetCore.SignalR.HubException($"op.base_revision: base revision {request.BaseRevision} is not in 0..{Revision}.");
        }

        for (var r = request.BaseRevision; r < _log.Count; r++)
        {
            op = TextOt.Transform(op, _log[r].Op).APrime;
        }

        Text = TextOt.Apply(Text, op);
        var committed = new CommittedOpDto(
            _log.Count + 1, op, request.ClientId, request.ClientSeq, author.Id, author.Name, DateTimeOffset.UtcNow, request.ClientTime);
        _log.Add(committed);
        _clients[request.ClientId] = (request.ClientSeq, committed.Revision);
        acked = new SubmitResultDto(committed.Revision, op);
        return committed;
    }
}
