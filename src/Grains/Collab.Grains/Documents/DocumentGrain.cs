using System.Text.RegularExpressions;
using Collab.Errors;
using Collab.Storage;
using Collab.Text;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Collab.Documents;

/// <summary>
/// The sequencer of one text. Submissions interleave (<see cref="IDocumentGrain.SubmitAsync"/> is AlwaysInterleave)
/// so that ops arriving while an append is in flight are committed together in the next append (group commit).
/// Invariants across awaits: the synchronous part of a submission (transform, apply to <see cref="_text"/>, take the
/// next revision, queue) runs without awaiting, so revisions are dense and ordered; <see cref="_committedRevision"/>
/// only moves after the log append returned; nobody is answered or notified about an op before that.
/// </summary>
internal sealed partial class DocumentGrain(
    [PersistentState("document")] IPersistentState<DocumentState> state,
    IOpLog log,
    DocumentOptions options,
    TimeProvider clock,
    ILogger<DocumentGrain> logger) : Grain, IDocumentGrain
{
    private readonly ObserverManager<IDocumentObserver> _observers = new(options.ObserverExpiry, logger);
    private readonly Dictionary<string, ClientMark> _clients = [];
    private readonly Dictionary<string, (long Seq, Task<SubmitResult> Result)> _inFlight = [];
    private readonly LinkedList<CommittedOp> _recent = new();
    private readonly Dictionary<string, PresenceSlot> _presence = [];
    private List<(CommittedOp Op, TaskCompletionSource<SubmitResult> Done)> _queued = [];
    private bool _flushing;
    private IGrainTimer? _presenceTimer;
    private bool _presenceDirty;
    private bool _broken;

    // Text and revision including queued (not yet durable) ops: what the next submission is transformed against.
    private string _text = "";
    private int _revision;

    // What is durable: the only revision anyone outside is told about.
    private int _committedRevision;

    private string DocId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.State.Created)
        {
            return;
        }

        _text = state.State.SnapshotText;
        _revision = state.State.SnapshotRevision;
        foreach (var (client, mark) in state.State.Clients)
        {
            _clients[client] = mark;
        }

        // Replay everything after the snapshot. A read failure fails the activation: never serve a shorter text.
        var tail = await log.ReadAsync(DocId, _revision, int.MaxValue, cancellationToken);
        foreach (var op in tail)
        {
            if (op.Revision != _revision + 1)
            {
                throw new InvalidOperationException($"Op log of '{DocId}' jumps from revision {_revision} to {op.Revision}.");
            }

            _text = TextOt.Apply(_text, op.Op, options.Limits);
            _revision = op.Revision;
            _clients[op.ClientId] = new ClientMark(op.ClientSeq, op.Revision);
            Remember(op);
        }

        _committedRevision = _revision;
        LogActivated(logger, DocId, _revision, state.State.SnapshotRevision, tail.Count);
    }

    async Task<DocumentView> IDocumentGrain.CreateAsync(CreateDocument command)
    {
        ValidateId();
        if (!command.Caller.EditsEverywhere)
        {
            throw new ForbiddenException("document.create_forbidden", "Only facilitators and rapporteurs create documents.");
        }

        if (state.State.Created)
        {
            throw new ConflictException("document.already_exists", $"Document '{DocId}' already exists.");
        }

        var title = string.IsNullOrWhiteSpace(command.Title) ? null : command.Title.Trim();
        if (title is { Length: var titleLength } && titleLength > options.MaxTitleLength)
        {
            throw new ValidationFailedException("document.title_too_long", $"A title has at most {options.MaxTitleLength} characters.", "title");
        }

        var text = command.Text ?? "";
        if (text.Length > 0)
        {
            // Validates like an edit would: size and well-formed UTF-16.
            TextOt.Apply("", TextOperation.Of(OpComponent.Insert(text)), options.Limits with { MaxOpInsertLength = options.Limits.MaxDocumentLength });
        }

        state.State = new DocumentState
        {
            Created = true,
            Title = title,
            CreatedAt = clock.GetUtcNow(),
            SnapshotText = text,
            InitialText = text,
            WorkshopId = command.Caller.WorkshopId,
            Room = command.Room,
            Editors = command.Editors?.ToList(),
        };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = new DocumentState();
            DeactivateOnIdle();
            throw;
        }

        _text = text;
        return View();
    }

    Task<DocumentView> IDocumentGrain.GetAsync(Caller caller)
    {
        EnsureVisibleTo(caller);
        return Task.FromResult(View());
    }

    async Task<OpenedDocument> IDocumentGrain.OpenAsync(OpenDocument command)
    {
        EnsureVisibleTo(command.Caller);
        EnsureUsable();
        var revision = _committedRevision;
        var presence = PresenceEntries();
        var last = command.LastRevision;
        if (last is { } seen && seen >= 0 && seen <= revision && revision - seen <= options.CatchUpLimit)
        {
            var missed = await OpsAsync(seen, revision);
            return new OpenedDocument(DocId, revision, null, missed, state.State.Locked, presence, state.State.Room);
        }

        var text = revision == _revision ? _text : (await TextAtAsync(revision)).Text;
        return new OpenedDocument(DocId, revision, text, [], state.State.Locked, presence, state.State.Room);
    }

    async Task<SubmitResult> IDocumentGrain.SubmitAsync(SubmitOp command)
    {
        EnsureVisibleTo(command.Caller);
        EnsureUsable();
        if (_clients.TryGetValue(command.ClientId, out var mark) && command.ClientSeq <= mark.Seq)
        {
            return await DuplicateAsync(command, mark);
        }

        if (_inFlight.TryGetValue(command.ClientId, out var pending) && pending.Seq == command.ClientSeq)
        {
            // The same op is still being committed (a resubmission racing its original): answer with the original.
            return await pending.Result;
        }

        EnsureMayEdit(command.Caller);
        if (state.State.Locked)
        {
            throw new ConflictException("document.locked", $"Document '{DocId}' is locked; it accepts no edits.");
        }

        TextOt.Validate(command.Op, options.Limits);
        if (command.BaseRevision < 0 || command.BaseRevision > _committedRevision)
        {
            throw new ValidationFailedException(
                "revision.in_future", $"Base revision {command.BaseRevision} is not a revision of '{DocId}' (latest is {_committedRevision}).", "baseRevision");
        }

        if (_revision - command.BaseRevision > options.MaxTransformSpan)
        {
            throw new ValidationFailedException(
                "revision.too_old", $"Base revision {command.BaseRevision} is more than {options.MaxTransformSpan} revisions old; reopen the document.", "baseRevision");
        }

        // Ops older than the in-memory window come from the log; this await may let other submissions in, so the
        // transform below runs against whatever is newest once it resumes.
        var op = command.Op;
        var oldest = _recent.First?.Value.Revision ?? _revision + 1;
        var transformedTo = command.BaseRevision;
        if (command.BaseRevision + 1 < oldest)
        {
            foreach (var older in await log.ReadAsync(DocId, command.BaseRevision, oldest - 1))
            {
                op = TextOt.Transform(op, older.Op).APrime;
                transformedTo = older.Revision;
            }

            EnsureUsable();
        }

        // From here to Enqueue nothing awaits: the op is rebased, applied and numbered atomically.
        // Walk back from the newest op to the first one after the base, then transform forwards.
        var first = _recent.Last;
        while (first?.Previous is { } previous && previous.Value.Revision > transformedTo)
        {
            first = previous;
        }

        for (var node = first; node is not null; node = node.Next)
        {
            if (node.Value.Revision > transformedTo)
            {
                op = TextOt.Transform(op, node.Value.Op).APrime;
            }
        }

        var text = TextOt.Apply(_text, op, options.Limits);
        var entry = new CommittedOp(
            _revision + 1, op, command.ClientId, command.ClientSeq, command.Caller.ParticipantId, command.Caller.DisplayName,
            clock.GetUtcNow(), command.ClientTime);
        _text = text;
        _revision = entry.Revision;
        Remember(entry);
        var done = new TaskCompletionSource<SubmitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queued.Add((entry, done));
        _inFlight[command.ClientId] = (command.ClientSeq, done.Task);
        StartFlush();
        return await done.Task;
    }

    async Task<IReadOnlyList<CommittedOp>> IDocumentGrain.GetOpsAsync(Caller caller, int afterRevision, int toRevision)
    {
        EnsureVisibleTo(caller);
        EnsureUsable();
        var to = Math.Min(toRevision, _committedRevision);
        if (afterRevision < 0 || afterRevision > to)
        {
            return [];
        }

        return await OpsAsync(afterRevision, to);
    }

    Task<TextAtRevision> IDocumentGrain.GetTextAtRevisionAsync(Caller caller, int revision)
    {
        EnsureVisibleTo(caller);
        EnsureUsable();
        if (revision < 0 || revision > _committedRevision)
        {
            throw new NotFoundException("revision.not_found", $"Document '{DocId}' has revisions 0 to {_committedRevision}, not {revision}.");
        }

        return TextAtAsync(revision);
    }

    async Task<TextAtRevision> IDocumentGrain.GetTextAtTimeAsync(Caller caller, DateTimeOffset at)
    {
        EnsureVisibleTo(caller);
        EnsureUsable();
        if (at < state.State.CreatedAt)
        {
            throw new NotFoundException("revision.not_found", $"Document '{DocId}' did not exist at {at:O}.");
        }

        var revision = await log.RevisionAtAsync(DocId, at) ?? 0;
        return await TextAtAsync(Math.Min(revision, _committedRevision));
    }

    async Task<DocumentView> IDocumentGrain.SetLockedAsync(SetLocked command)
    {
        EnsureVisibleTo(command.Caller);
        EnsureUsable();
        if (command.Caller.Role != Role.Facilitator)
        {
            throw new ForbiddenException("document.lock_forbidden", "Only facilitators lock and unlock documents.");
        }

        if (state.State.Locked != command.Locked)
        {
            await WriteSnapshotAsync(command.Locked, state.State.Editors);
            await _observers.Notify(o => o.LockChanged(new LockChanged(DocId, command.Locked, _committedRevision)));
        }

        return View();
    }

    async Task IDocumentGrain.SetEditorsAsync(SetEditors command)
    {
        EnsureUsable();
        if (command.WorkshopId != state.State.WorkshopId)
        {
            throw new ForbiddenException("document.other_workshop", $"Document '{DocId}' belongs to another workshop.");
        }

        var editors = command.Editors?.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var current = state.State.Editors;
        if (editors is null ? current is null : current is not null && editors.SequenceEqual(current, StringComparer.Ordinal))
        {
            return;
        }

        await WriteSnapshotAsync(state.State.Locked, editors);
    }

    Task IDocumentGrain.SubscribeAsync(IDocumentObserver observer)
    {
        EnsureCreated();
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    Task IDocumentGrain.UnsubscribeAsync(IDocumentObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    Task IDocumentGrain.UpdatePresenceAsync(PresenceUpdate update)
    {
        if (!state.State.Created || _broken || update.Caller.WorkshopId != state.State.WorkshopId)
        {
            return Task.CompletedTask;
        }

        var selection = update.Selection is { } s && update.Revision <= _committedRevision
            ? MoveSelection(s, update.Revision, _committedRevision)
            : null;
        _presence[update.SessionId] = new PresenceSlot(
            new PresenceEntry(update.SessionId, update.Caller.ParticipantId, update.Caller.DisplayName, selection), clock.GetUtcNow());
        MarkPresenceDirty();
        return Task.CompletedTask;
    }

    Task IDocumentGrain.LeaveAsync(string sessionId)
    {
        if (_presence.Remove(sessionId))
        {
            MarkPresenceDirty();
        }

        return Task.CompletedTask;
    }

    /// <summary>Starts the commit loop unless it runs. (A flag, not the loop's task: the loop may finish synchronously.)</summary>
    private void StartFlush()
    {
        if (!_flushing && !_broken && _queued.Count > 0)
        {
            _flushing = true;
            _ = FlushAsync();
        }
    }

    /// <summary>
    /// Group commit: appends everything queued in one write, then answers and notifies in revision order; ops queued
    /// meanwhile go in the next write. On a failed write nothing queued is acknowledged, and the activation is dropped
    /// so the next call reloads what the log really holds (clients resubmit; duplicates are recognised).
    /// </summary>
    private async Task FlushAsync()
    {
        try
        {
            while (_queued.Count > 0)
            {
                List<(CommittedOp Op, TaskCompletionSource<SubmitResult> Done)> batch;
                if (_queued.Count <= options.MaxCommitBatch)
                {
                    batch = _queued;
                    _queued = [];
                }
                else
                {
                    batch = _queued.GetRange(0, options.MaxCommitBatch);
                    _queued.RemoveRange(0, options.MaxCommitBatch);
                }
                try
                {
                    await log.AppendAsync(DocId, batch.ConvertAll(b => b.Op));
                }
                catch (Exception e)
                {
                    Break(e, batch);
                    return;
                }

                _committedRevision = batch[^1].Op.Revision;
                foreach (var (op, done) in batch)
                {
                    _clients[op.ClientId] = new ClientMark(op.ClientSeq, op.Revision);
                    if (_inFlight.TryGetValue(op.ClientId, out var inFlight) && inFlight.Seq == op.ClientSeq)
                    {
                        _inFlight.Remove(op.ClientId);
                    }

                    done.TrySetResult(new SubmitResult(op.Revision, op.Op));
                }

                var ops = batch.ConvertAll(b => b.Op);
                await _observers.Notify(o => o.OpsCommitted(new OpsCommitted(DocId, ops)));
                MovePresence(ops);
            }

            if (_committedRevision - state.State.SnapshotRevision >= options.SnapshotEvery)
            {
                await WriteSnapshotAsync(state.State.Locked, state.State.Editors);
            }
        }
        catch (Orleans.Storage.InconsistentStateException e)
        {
            // Another activation wrote the state: this one is stale and must not accept more edits.
            Break(e, []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only the snapshot can fail here (appends are handled above): the ops are durable in the log, so the
            // document stays correct and tries again at the next commit.
            LogSnapshotFailed(logger, e, DocId);
        }
        finally
        {
            _flushing = false;
            StartFlush();
        }
    }

    private void Break(Exception error, List<(CommittedOp Op, TaskCompletionSource<SubmitResult> Done)> batch)
    {
        _broken = true;
        if (error is OpLogConflictException)
        {
            LogConflict(logger, error, DocId);
        }
        else
        {
            LogAppendFailed(logger, error, DocId);
        }

        var unavailable = new UnavailableException(
            "server.unavailable", $"Document '{DocId}' could not store the edit and is reloading; send it again.");
        foreach (var (_, done) in batch.Concat(_queued))
        {
            done.TrySetException(unavailable);
        }

        _queued.Clear();
        DeactivateOnIdle();
    }

    /// <summary>Snapshot when no op is queued (then <see cref="_text"/> is exactly the committed text).</summary>
    private async Task WriteSnapshotAsync(bool locked, List<string>? editors)
    {
        var snapshot = _queued.Count == 0 && _revision == _committedRevision;
        var next = new DocumentState
        {
            Created = true,
            Title = state.State.Title,
            CreatedAt = state.State.CreatedAt,
            Locked = locked,
            SnapshotRevision = snapshot ? _committedRevision : state.State.SnapshotRevision,
            SnapshotText = snapshot ? _text : state.State.SnapshotText,
            Clients = snapshot ? new Dictionary<string, ClientMark>(_clients) : state.State.Clients,
            InitialText = state.State.InitialText,
            WorkshopId = state.State.WorkshopId,
            Room = state.State.Room,
            Editors = editors,
        };
        await state.ReplaceAsync(next);
    }

    private async Task<SubmitResult> DuplicateAsync(SubmitOp command, ClientMark mark)
    {
        if (command.ClientSeq == mark.Seq && FindRecent(mark.Revision) is { } recent)
        {
            return new SubmitResult(recent.Revision, recent.Op);
        }

        var original = await log.FindAsync(DocId, command.ClientId, command.ClientSeq);
        return original is not null
            ? new SubmitResult(original.Revision, original.Op)
            : throw new ValidationFailedException(
                "op.sequence_reused", $"Client '{command.ClientId}' already used sequence numbers up to {mark.Seq}.", "clientSeq");
    }

    private async Task<IReadOnlyList<CommittedOp>> OpsAsync(int afterRevision, int toRevision)
    {
        var oldest = _recent.First?.Value.Revision ?? int.MaxValue;
        if (afterRevision + 1 >= oldest)
        {
            // Newest first: catch-ups ask for the last few ops.
            var ops = new List<CommittedOp>();
            for (var node = _recent.Last; node is not null && node.Value.Revision > afterRevision; node = node.Previous)
            {
                if (node.Value.Revision <= toRevision)
                {
                    ops.Add(node.Value);
                }
            }

            ops.Reverse();
            return ops;
        }

        return await log.ReadAsync(DocId, afterRevision, toRevision);
    }

    private async Task<TextAtRevision> TextAtAsync(int revision)
    {
        if (revision == _committedRevision && _revision == _committedRevision)
        {
            return new TextAtRevision(revision, _text, _recent.Last?.Value.CommittedAt);
        }

        // Replay from the snapshot when it is old enough, otherwise from the creation text.
        var fromSnapshot = state.State.SnapshotRevision <= revision;
        var text = fromSnapshot ? state.State.SnapshotText : state.State.InitialText;
        var start = fromSnapshot ? state.State.SnapshotRevision : 0;
        DateTimeOffset? at = null;
        foreach (var op in await OpsAsync(start, revision))
        {
            text = TextOt.Apply(text, op.Op, options.Limits);
            at = op.CommittedAt;
        }

        return new TextAtRevision(revision, text, at);
    }

    private CommittedOp? FindRecent(int revision)
    {
        for (var node = _recent.Last; node is not null; node = node.Previous)
        {
            if (node.Value.Revision == revision)
            {
                return node.Value;
            }

            if (node.Value.Revision < revision)
            {
                break;
            }
        }

        return null;
    }

    private void Remember(CommittedOp op)
    {
        _recent.AddLast(op);
        while (_recent.Count > options.RecentOpsKept && _recent.First!.Value.Revision <= _committedRevision)
        {
            _recent.RemoveFirst();
        }
    }

    private Selection? MoveSelection(Selection selection, int fromRevision, int toRevision)
    {
        // A selection older than the ops kept in memory cannot be moved reliably: drop it rather than point at wrong text.
        if (fromRevision < toRevision && fromRevision + 1 < (_recent.First?.Value.Revision ?? int.MaxValue))
        {
            return null;
        }

        var anchor = selection.Anchor;
        var head = selection.Head;
        foreach (var op in _recent)
        {
            if (op.Revision > fromRevision && op.Revision <= toRevision)
            {
                anchor = TextOt.TransformPosition(anchor, op.Op, Affinity.After);
                head = TextOt.TransformPosition(head, op.Op, Affinity.After);
            }
        }

        return new Selection(anchor, head);
    }

    private void MovePresence(List<CommittedOp> ops)
    {
        foreach (var (session, slot) in _presence.ToList())
        {
            if (slot.Entry.Selection is not { } s)
            {
                continue;
            }

            var anchor = s.Anchor;
            var head = s.Head;
            foreach (var op in ops)
            {
                anchor = TextOt.TransformPosition(anchor, op.Op, Affinity.After);
                head = TextOt.TransformPosition(head, op.Op, Affinity.After);
            }

            if (anchor != s.Anchor || head != s.Head)
            {
                // Re-announced (batched) so that late joiners and lagging clients get positions at a recent revision.
                _presence[session] = slot with { Entry = slot.Entry with { Selection = new Selection(anchor, head) } };
                MarkPresenceDirty();
            }
        }
    }

    private void MarkPresenceDirty()
    {
        _presenceDirty = true;
        _presenceTimer ??= this.RegisterGrainTimer(PushPresenceAsync, new GrainTimerCreationOptions
        {
            DueTime = options.PresenceInterval,
            Period = options.PresenceInterval,
            Interleave = true,
        });
    }

    private async Task PushPresenceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var (session, slot) in _presence.ToList())
        {
            if (now - slot.SeenAt > options.PresenceExpiry)
            {
                _presence.Remove(session);
                _presenceDirty = true;
            }
        }

        if (_presenceDirty)
        {
            _presenceDirty = false;
            var snapshot = new PresenceChanged(DocId, _committedRevision, PresenceEntries());
            await _observers.Notify(o => o.PresenceChanged(snapshot));
        }
        else if (_presence.Count == 0)
        {
            _presenceTimer?.Dispose();
            _presenceTimer = null;
        }

    }

    private List<PresenceEntry> PresenceEntries() => _presence.Values.Select(p => p.Entry).ToList();

    private DocumentView View() => new(
        DocId,
        state.State.Title,
        _committedRevision,
        _revision == _committedRevision ? _text.Length : -1,
        state.State.Locked,
        state.State.CreatedAt,
        state.State.WorkshopId,
        state.State.Room);

    /// <summary>Another workshop's caller learns nothing, not even that the document exists.</summary>
    private void EnsureVisibleTo(Caller caller)
    {
        if (!state.State.Created || caller.WorkshopId != state.State.WorkshopId)
        {
            throw new NotFoundException("document.not_found", $"There is no document '{DocId}'.");
        }
    }

    /// <summary>Observers read only; participants edit the plenary's documents and their own group's.</summary>
    private void EnsureMayEdit(Caller caller)
    {
        if (caller.EditsEverywhere)
        {
            return;
        }

        if (caller.Role != Role.Participant)
        {
            throw new ForbiddenException("document.read_only", "Observers can read but not edit.");
        }

        if (state.State.Editors is { } editors && !editors.Contains(caller.ParticipantId, StringComparer.Ordinal))
        {
            throw new ForbiddenException("document.not_a_member", $"Only members of the group in room '{state.State.Room}' edit '{DocId}'.");
        }
    }

    private void EnsureCreated()
    {
        if (!state.State.Created)
        {
            throw new NotFoundException("document.not_found", $"There is no document '{DocId}'.");
        }
    }

    private void EnsureUsable()
    {
        EnsureCreated();
        if (_broken)
        {
            throw new UnavailableException("server.unavailable", $"Document '{DocId}' is reloading; try again.");
        }
    }

    private void ValidateId()
    {
        if (DocId.Length > options.MaxDocIdLength || !DocIdPattern().IsMatch(DocId))
        {
            throw new ValidationFailedException(
                "document.id_invalid", $"A document id has 1–{options.MaxDocIdLength} letters, digits, '.', '_', '-' or ':'.", "docId");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DocIdPattern();

    private sealed record PresenceSlot(PresenceEntry Entry, DateTimeOffset SeenAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocId} activated at revision {Revision} (snapshot {Snapshot}, {Replayed} ops replayed)")]
    private static partial void LogActivated(ILogger logger, string docId, int revision, int snapshot, int replayed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocId}: another activation wrote the same revision; reloading")]
    private static partial void LogConflict(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocId}: writing the snapshot failed; the op log has every op")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocId}: appending to the op log failed; reloading")]
    private static partial void LogAppendFailed(ILogger logger, Exception error, string docId);
}
