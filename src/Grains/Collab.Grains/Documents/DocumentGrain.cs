using System.Diagnostics;
using Collab.Diagnostics;
using Collab.Errors;
using Collab.Hosting;
using Collab.Storage;
using Collab.Text;
using Microsoft.Extensions.Logging;

namespace Collab.Documents;

/// <summary>
/// One text: the <see cref="DocumentSequencer"/> (text, revisions, recent ops, exactly-once marks, transform and apply)
/// driven through the op log, with the commit loop, state writes, anchors, presence and pushes around it.
/// Submissions interleave (<see cref="IDocumentGrain.SubmitAsync"/> is AlwaysInterleave) so that ops arriving while an
/// append is in flight are committed together in the next append (group commit).
/// Invariants across awaits: from the last <see cref="DocumentSequencer.Recognise"/> of a submission to its queueing
/// (transform, apply, take the next revision) nothing awaits, so revisions are dense and ordered and one op is never
/// sequenced twice; the committed revision only moves after the log append returned; nobody is answered or notified
/// about an op before that. Anchors (<see cref="AnchorBook"/>) are kept at the committed revision: they move when a batch
/// becomes durable (never through queued ops), so every write of them stores all of them at a revision whose ops are all
/// in the log. They have a grain state of their own (<see cref="DocumentAnchorsState"/>), written when one is created and
/// at a snapshot once <see cref="DocumentOptions.AnchorsRewriteEvery"/> revisions behind: the snapshot does not carry
/// them, and creating one does not rewrite the snapshot.
/// </summary>
internal sealed partial class DocumentGrain(
    [PersistentState("document")] IPersistentState<DocumentState> state,
    [PersistentState("document-anchors")] IPersistentState<DocumentAnchorsState> anchorsState,
    [PersistentState("document-observers")] IPersistentState<ObserverSetState<IDocumentObserver>> observers,
    IOpLog log,
    DocumentOptions options,
    TimeProvider clock,
    ILogger<DocumentGrain> logger) : Grain, IDocumentGrain, IMayNotExist
{
    private readonly DurableObservers<IDocumentObserver> _observers = new(observers, options.ObserverExpiry, logger);
    private readonly PresenceBatcher _presence = new(options.PresenceExpiry);

    // Sequenced, not yet handed to an append (the commit loop takes them in order).
    private List<CommittedOp> _queued = [];

    // The answer of every op sequenced and not yet durable (queued or in an append), by revision.
    private readonly Dictionary<int, TaskCompletionSource<SubmitResult>> _acks = [];

    // Set first thing in OnActivateAsync (the document id is not known before); replaced by CreateAsync.
    private DocumentSequencer _sequencer = null!;
    private bool _flushing;
    private IGrainTimer? _presenceTimer;
    private bool _broken;
    private bool _listenerUnresolved;

    // Counted in collab.documents.active (an existing document is in memory here).
    private bool _counted;

    // The trace of the first op queued for the next commit: its span becomes the commit's parent.
    private ActivityContext _queuedTrace;

    // Anchors at the committed revision, moved as batches become durable, and the one whose write is in flight.
    private AnchorBook _anchors = null!;

    // The revision the stored anchors are at (they are rewritten at a snapshot once they fall far behind).
    private int _anchorsStoredAt;

    // The anchors were loaded from DocumentState.Anchors (stored by an earlier version): the next write of either state
    // stores them in DocumentAnchorsState first, and only then a DocumentState without them.
    private bool _anchorsToMigrate;

    // One state write at a time (the document's or the anchors'): the anchors' write carries every anchor as of when it
    // starts, a write that migrates the anchors must finish before the document's, and a failed write that reverts the
    // state must not revert another write's.
    private readonly SemaphoreSlim _writing = new(1, 1);

    // The listener of commits once durably set (state.State already holds a key whose write is still in flight).
    private string? _listenerKey;

    private string DocId => this.GetPrimaryKeyString();

    private int CommittedRevision => _sequencer.CommittedRevision;

    bool IMayNotExist.Exists => state.State.Created;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _sequencer = new DocumentSequencer(DocId, options);
        _anchors = new AnchorBook(options);
        if (!state.State.Created)
        {
            return;
        }

        var marks = ClientMarks.Restore(
            state.State.Clients, state.State.ClientMarksCompleteAfter, options.ClientMarksKept, options.ClientMarkSpan);
        _sequencer = new DocumentSequencer(DocId, options, state.State.SnapshotText, state.State.SnapshotRevision, marks);

        // Replay everything after the snapshot. A read failure fails the activation: never serve a shorter text.
        var tail = await log.ReadAsync(DocId, state.State.SnapshotRevision, int.MaxValue, cancellationToken);
        foreach (var op in tail)
        {
            _sequencer.Replay(op);
        }

        _sequencer.PruneMarks();
        _listenerKey = state.State.ListenerKey;
        await LoadAnchorsAsync(tail, cancellationToken);

        // The web nodes an earlier activation pushed to are pushed to from now on (not only once each subscribes
        // again); the newest op shows their clients whether they missed any, and they catch up.
        foreach (var observer in _observers.Restore())
        {
            TellNewest(observer);
        }

        CountActive();
        LogActivated(logger, DocId, CommittedRevision, state.State.SnapshotRevision, tail.Count);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Never leave with a state write in flight: the next activation would load the state from before it (or the
        // anchors from before it) and then have its own first write refused for a stale ETag.
        await _writing.WaitAsync(cancellationToken);
        _writing.Release();

        // The next activation pushes to the stored subscribers, but one whose store failed would get nothing until its
        // node's next renewal: tell the web nodes to subscribe again now. (One-way calls: a dead node costs nothing.)
        if (_observers.Count > 0)
        {
            await _observers.Notify(o => o.Deactivating(DocId));
        }

        if (_counted)
        {
            _counted = false;
            DocumentMetrics.Deactivated();
        }
    }

    private void CountActive()
    {
        if (!_counted)
        {
            _counted = true;
            DocumentMetrics.Activated();
        }
    }

    /// <summary>
    /// Anchors as stored (at the revision they were written at), moved through the ops committed after it. A document
    /// whose anchors were stored by an earlier version, with its snapshot, has them in <see cref="DocumentState.Anchors"/>.
    /// </summary>
    private async Task LoadAnchorsAsync(IReadOnlyList<CommittedOp> tail, CancellationToken cancellationToken)
    {
        var stored = anchorsState.State.Anchors;
        if (stored.Count == 0 && state.State.Anchors.Count > 0)
        {
            stored = state.State.Anchors;
            _anchorsToMigrate = true;
        }

        if (stored.Count == 0)
        {
            return;
        }

        // Anchors are stored when one is created, so usually before the snapshot: the ops between them and the
        // snapshot come from the log.
        var snapshotRevision = state.State.SnapshotRevision;
        var oldest = stored.Min(a => a.Revision);
        var history = oldest < snapshotRevision
            ? [.. await log.ReadAsync(DocId, oldest, snapshotRevision, cancellationToken), .. tail]
            : tail;
        _anchors = AnchorBook.Restore(options, DocId, stored, history, CommittedRevision);
        _anchorsStoredAt = oldest;
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
            Policy = command.Policy,
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

        _sequencer = new DocumentSequencer(DocId, options, text);
        CountActive();
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
        var revision = CommittedRevision;
        var presence = _presence.Entries();
        var last = command.LastRevision;
        if (last is { } seen && seen >= 0 && seen <= revision && revision - seen <= options.CatchUpLimit)
        {
            var missed = await OpsAsync(seen, revision);
            return new OpenedDocument(DocId, revision, null, missed, state.State.Locked, presence, state.State.Room, AccessOf(command.Caller));
        }

        var text = revision == _sequencer.Revision ? _sequencer.Text : (await TextAtAsync(revision)).Text;
        return new OpenedDocument(DocId, revision, text, [], state.State.Locked, presence, state.State.Room, AccessOf(command.Caller));
    }

    async Task<SubmitResult> IDocumentGrain.SubmitAsync(SubmitOp command)
    {
        EnsureVisibleTo(command.Caller);
        EnsureUsable();
        _sequencer.ValidateClient(command.ClientId, command.ClientSeq);

        // Every await below may let other submissions in (the same op resent among them): the loop recognises the op
        // again after each one, and sequences it only when nothing awaited since.
        DocumentSequencer.Rebase? rebase = null;
        int? logSearchedUpTo = null;
        while (true)
        {
            var recognition = _sequencer.Recognise(command.ClientId, command.ClientSeq, command.BaseRevision, logSearchedUpTo);
            switch (recognition.Kind)
            {
                case RecognitionKind.Known:
                    return new SubmitResult(recognition.Original!.Revision, recognition.Original.Op);
                case RecognitionKind.Pending:
                    // The same op is still being committed (a resubmission racing its original): answer with the original.
                    return await _acks[recognition.PendingRevision].Task;
                case RecognitionKind.SearchLog:
                    var searchedUpTo = CommittedRevision;
                    var original = await log.FindAsync(DocId, command.ClientId, command.ClientSeq);
                    if (original is not null)
                    {
                        return new SubmitResult(original.Revision, original.Op);
                    }

                    if (recognition.ReusedUpTo is { } upTo)
                    {
                        throw DocumentSequencer.SequenceReused(command.ClientId, upTo);
                    }

                    EnsureUsable();
                    logSearchedUpTo = searchedUpTo;
                    continue;
            }

            if (rebase is null)
            {
                EnsureMayEdit(command.Caller);
                rebase = _sequencer.Admit(command.Op, command.BaseRevision);
            }

            // Ops older than the in-memory window come from the log.
            if (_sequencer.Missing(rebase) is var (after, to))
            {
                _sequencer.Through(rebase, await log.ReadAsync(DocId, after, to), to);
                EnsureUsable();
                continue;
            }

            break;
        }

        var entry = _sequencer.Sequence(
            rebase, command.ClientId, command.ClientSeq, command.Caller.ParticipantId, command.Caller.DisplayName,
            clock.GetUtcNow(), command.ClientTime);
        var done = new TaskCompletionSource<SubmitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queued.Count == 0)
        {
            _queuedTrace = Activity.Current?.Context ?? default;
        }

        _queued.Add(entry);
        _acks[entry.Revision] = done;
        StartFlush();
        return await done.Task;
    }

    async Task<IReadOnlyList<CommittedOp>> IDocumentGrain.GetOpsAsync(Caller caller, int afterRevision, int toRevision)
    {
        EnsureVisibleTo(caller);
        EnsureUsable();
        var to = Math.Min(toRevision, CommittedRevision);
        if (afterRevision < 0 || afterRevision > to)
        {
            return [];
        }

        return await OpsAsync(afterRevision, to);
    }

    Task<TextAtRevision> IDocumentGrain.GetTextAsync(Caller caller)
    {
        EnsureVisibleTo(caller);
        EnsureUsable();
        return TextAtAsync(CommittedRevision);
    }

    Task<TextAtRevision> IDocumentGrain.GetTextAtRevisionAsync(Caller caller, int revision)
    {
        EnsureVisibleTo(caller);
        EnsureUsable();
        if (revision < 0 || revision > CommittedRevision)
        {
            throw new NotFoundException("revision.not_found", $"Document '{DocId}' has revisions 0 to {CommittedRevision}, not {revision}.");
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
        return await TextAtAsync(Math.Min(revision, CommittedRevision));
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
            await WriteStateAsync(next => next.Locked = command.Locked);
            await _observers.Notify(o => o.LockChanged(new LockChanged(DocId, command.Locked, CommittedRevision)));
            await NotifyAccessChangedAsync();
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

        await WriteStateAsync(next => next.Editors = editors);
        await NotifyAccessChangedAsync();
    }

    async Task IDocumentGrain.SetAccessPolicyAsync(SetAccessPolicy command)
    {
        EnsureUsable();
        if (command.WorkshopId != state.State.WorkshopId)
        {
            throw new ForbiddenException("document.other_workshop", $"Document '{DocId}' belongs to another workshop.");
        }

        if (command.Policy == (state.State.Policy ?? AccessPolicy.Open))
        {
            return;
        }

        await WriteStateAsync(next => next.Policy = command.Policy);
        await NotifyAccessChangedAsync();
    }

    async Task<AnchorView> IDocumentGrain.AnchorAsync(CreateAnchor command)
    {
        EnsureVisibleTo(command.Caller);
        EnsureUsable();
        var id = command.AnchorId;
        _anchors.ValidateId(id);
        if (_anchors.Contains(id))
        {
            return (await AnchorViewsAsync([id]))[0];
        }

        _anchors.EnsureRoom(DocId);

        if (command.Revision < 0 || command.Revision > CommittedRevision)
        {
            throw new NotFoundException("revision.not_found", $"Document '{DocId}' has revisions 0 to {CommittedRevision}, not {command.Revision}.");
        }

        var text = (await TextAtAsync(command.Revision)).Text;
        if (command.Start < 0 || command.Start > command.End || command.End > text.Length)
        {
            throw new ValidationFailedException(
                "anchor.range_invalid",
                $"An anchor is a range 0 <= start <= end <= {text.Length} of the text at revision {command.Revision}, not [{command.Start}, {command.End}).",
                "start");
        }

        if (SplitsSurrogatePair(text, command.Start) || SplitsSurrogatePair(text, command.End))
        {
            throw new ValidationFailedException(
                "anchor.range_invalid", "An anchor cannot start or end between the two halves of a character (a surrogate pair).", "start");
        }

        await _writing.WaitAsync();
        try
        {
            // The range is at the command's revision: move it through everything committed since. Reading older ops
            // may await, letting commits land; the loop only ends when it is at the committed revision without awaiting.
            var range = new AnchorRange(command.Start, command.End);
            var revision = command.Revision;
            while (revision < CommittedRevision)
            {
                var to = CommittedRevision;
                range = await MoveAsync(range, revision, to);
                revision = to;
            }

            EnsureUsable();

            // From here to the write nothing awaits: the new anchor is at the committed revision like every other one,
            // and commits landing during the write move it with them (it is stored, readers do not see it yet).
            _anchors.BeginWrite(id, range);
            var durable = false;
            try
            {
                await WriteAnchorsAsync();
                durable = true;
            }
            finally
            {
                _anchors.EndWrite(durable);
            }
        }
        finally
        {
            _writing.Release();
        }

        return (await AnchorViewsAsync([id]))[0];
    }

    Task<IReadOnlyList<AnchorView>> IDocumentGrain.GetAnchorsAsync(Caller caller, IReadOnlyList<string> anchorIds)
    {
        ArgumentNullException.ThrowIfNull(anchorIds);
        EnsureVisibleTo(caller);
        EnsureUsable();
        if (anchorIds.Count > options.MaxAnchors)
        {
            throw new ValidationFailedException("anchor.too_many_ids", $"Ask for at most {options.MaxAnchors} anchors at once.", "anchorIds");
        }

        return AnchorViewsAsync(anchorIds);
    }

    async Task IDocumentGrain.SetListenerAsync(string workshopId, string? listenerKey)
    {
        EnsureUsable();
        if (workshopId != state.State.WorkshopId)
        {
            throw new ForbiddenException("document.other_workshop", $"Document '{DocId}' belongs to another workshop.");
        }

        if (listenerKey is { Length: var length } && (length == 0 || length > options.MaxListenerKeyLength))
        {
            throw new ValidationFailedException(
                "document.listener_invalid", $"A listener key has 1–{options.MaxListenerKeyLength} characters.", "listenerKey");
        }

        if (listenerKey == state.State.ListenerKey)
        {
            return;
        }

        await WriteStateAsync(next => next.ListenerKey = listenerKey);
        _listenerKey = listenerKey;
    }

    async Task IDocumentGrain.SubscribeAsync(IDocumentObserver observer)
    {
        EnsureCreated();

        // A node new to this activation (first client, or this activation replaced one that died) may have missed the
        // ops committed before now: the newest one shows its clients whether they are behind, and they catch up.
        if (await _observers.SubscribeAsync(observer))
        {
            TellNewest(observer);
        }
    }

    Task IDocumentGrain.UnsubscribeAsync(IDocumentObserver observer) => _observers.UnsubscribeAsync(observer);

    private void TellNewest(IDocumentObserver observer)
    {
        if (_sequencer.Find(CommittedRevision) is { } newest)
        {
            observer.OpsCommitted(new OpsCommitted(DocId, [newest])).Ignore();
        }
    }

    Task IDocumentGrain.UpdatePresenceAsync(PresenceUpdate update)
    {
        if (!state.State.Created || _broken || update.Caller.WorkshopId != state.State.WorkshopId)
        {
            return Task.CompletedTask;
        }

        // Positions beyond the text (a client's mistake) are pulled back to its end, so nobody is pushed a caret outside it.
        var selection = update.Selection is { } s && update.Revision <= CommittedRevision
            ? _sequencer.MoveSelection(s, update.Revision, CommittedRevision) is { } moved
                ? new Selection(Math.Clamp(moved.Anchor, 0, _sequencer.CommittedLength), Math.Clamp(moved.Head, 0, _sequencer.CommittedLength))
                : null
            : null;
        var entry = new PresenceEntry(update.ConnectionId, update.Caller.ParticipantId, update.Caller.DisplayName, selection);
        if (!_presence.Update(entry, clock.GetUtcNow()))
        {
            DocumentMetrics.PresenceDropped();
        }

        SchedulePresencePush();
        return Task.CompletedTask;
    }

    Task IDocumentGrain.LeaveAsync(string connectionId)
    {
        _presence.Leave(connectionId);
        SchedulePresencePush();
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
                List<CommittedOp> batch;
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
                var trace = _queuedTrace;
                _queuedTrace = default;
                var started = Stopwatch.GetTimestamp();
                using (var commit = StartCommitActivity(trace, batch.Count))
                {
                    try
                    {
                        await log.AppendAsync(DocId, batch);
                    }
                    catch (Exception e)
                    {
                        commit?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                        Break(e);
                        return;
                    }
                }

                DocumentMetrics.Committed(batch.Count, Stopwatch.GetElapsedTime(started));

                _sequencer.Committed(batch);
                _anchors.MoveThrough(batch);
                foreach (var op in batch)
                {
                    if (_acks.Remove(op.Revision, out var done))
                    {
                        done.TrySetResult(new SubmitResult(op.Revision, op.Op));
                    }
                }

                await _observers.Notify(o => o.OpsCommitted(new OpsCommitted(DocId, batch)));
                _presence.MoveThrough(batch);
                SchedulePresencePush();
                NotifyListener(batch[^1].Revision);
            }

            StartSnapshot();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Appends are handled above and the rest only answers and notifies: nothing here may end the loop unseen.
            LogCommitLoopFailed(logger, e, DocId);
        }
        finally
        {
            _flushing = false;
            StartFlush();
        }
    }

    /// <summary>
    /// Writes a snapshot once the committed revision is <see cref="DocumentOptions.SnapshotEvery"/> past the stored one,
    /// beside the commit loop: edits keep committing while it is written (it never holds an ack). Skipped while another
    /// state write is in flight, which snapshots too; the next commit tries again. Deactivation waits for it.
    /// </summary>
    private void StartSnapshot()
    {
        if (!_broken && CommittedRevision - state.State.SnapshotRevision >= options.SnapshotEvery && _writing.Wait(0))
        {
            _ = SnapshotAsync();
        }
    }

    /// <summary>Call with the write gate held; releases it.</summary>
    private async Task SnapshotAsync()
    {
        try
        {
            await MigrateAnchorsAsync();
            await state.ReplaceAsync(NextState());

            // Anchors stored long ago are stored again, so that activation need not move them through much of the log.
            // A failure here costs nothing stored: the older anchors state is still whole.
            if (_anchors.Count > 0 && CommittedRevision - _anchorsStoredAt >= options.AnchorsRewriteEvery)
            {
                await WriteAnchorsAsync();
            }
        }
        catch (Orleans.Storage.InconsistentStateException e)
        {
            // Another activation wrote the state: this one is stale and must not accept more edits.
            Break(e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The ops are durable in the log, so the document stays correct and tries again after the next commit.
            LogSnapshotFailed(logger, e, DocId);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// The span of one op-log append, beneath the hub or HTTP call whose op opened the batch (the database's own spans,
    /// e.g. Npgsql's, nest under it). Ids and sizes only, never the text.
    /// </summary>
    private Activity? StartCommitActivity(ActivityContext parent, int ops)
    {
        var activity = CollabTelemetry.Source.StartActivity("commit", ActivityKind.Internal, parent);
        activity?.SetTag(CollabTelemetry.DocumentTag, DocId);
        activity?.SetTag(CollabTelemetry.WorkshopTag, state.State.WorkshopId);
        activity?.SetTag("collab.commit.ops", ops);
        return activity;
    }

    private void Break(Exception error)
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
        // Nothing sequenced is acknowledged: neither the batch that failed nor what was queued behind it.
        foreach (var done in _acks.Values)
        {
            done.TrySetException(unavailable);
        }

        _acks.Clear();
        _queued.Clear();
        DeactivateOnIdle();
    }

    /// <summary>Writes the state as <see cref="NextState"/> makes it, changed by <paramref name="change"/>; one write at a time.</summary>
    private async Task WriteStateAsync(Action<DocumentState> change)
    {
        await _writing.WaitAsync();
        try
        {
            await MigrateAnchorsAsync();
            var next = NextState();
            change(next);
            await state.ReplaceAsync(next);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Stores every anchor, and the one being written, in <see cref="DocumentAnchorsState"/> at the committed revision,
    /// whose ops are all in the log. If the write fails the stored anchors are those of the previous write, still whole
    /// (at an older revision, moved through the log on activation). Call with the write gate held.
    /// </summary>
    private async Task WriteAnchorsAsync()
    {
        var revision = CommittedRevision;
        try
        {
            await anchorsState.ReplaceAsync(new DocumentAnchorsState { Anchors = _anchors.ToStored(revision) });
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            // Another activation wrote the anchors: reload them with the next activation (the text is not at stake here,
            // an op-log conflict would show that).
            DeactivateOnIdle();
            throw;
        }

        _anchorsStoredAt = revision;
        _anchorsToMigrate = false;
    }

    /// <summary>
    /// Anchors loaded from an earlier version's <see cref="DocumentState.Anchors"/> are stored in their own state before
    /// the first write of a <see cref="DocumentState"/> without them; if that fails, so does the document's write, which
    /// leaves both states as they were. Call with the write gate held.
    /// </summary>
    private Task MigrateAnchorsAsync() => _anchorsToMigrate ? WriteAnchorsAsync() : Task.CompletedTask;

    /// <summary>
    /// The state to write now: metadata as it is; a snapshot when no op is queued (then the sequencer's text is exactly the
    /// committed text). No anchors: they are in <see cref="DocumentAnchorsState"/>. Call with the write gate held.
    /// </summary>
    private DocumentState NextState()
    {
        var snapshot = _queued.Count == 0 && _sequencer.AllCommitted;
        return new DocumentState
        {
            Created = true,
            Title = state.State.Title,
            CreatedAt = state.State.CreatedAt,
            Locked = state.State.Locked,
            SnapshotRevision = snapshot ? CommittedRevision : state.State.SnapshotRevision,
            SnapshotText = snapshot ? _sequencer.Text : state.State.SnapshotText,
            Clients = snapshot ? _sequencer.Marks.ToDictionary() : state.State.Clients,
            ClientMarksCompleteAfter = snapshot ? _sequencer.Marks.CompleteAfter : state.State.ClientMarksCompleteAfter,
            InitialText = state.State.InitialText,
            WorkshopId = state.State.WorkshopId,
            Room = state.State.Room,
            Editors = state.State.Editors,
            Anchors = [],
            ListenerKey = state.State.ListenerKey,
            Policy = state.State.Policy,
        };
    }

    private async Task<IReadOnlyList<CommittedOp>> OpsAsync(int afterRevision, int toRevision)
    {
        // Nothing to read (a client that is up to date reopens): no trip to the database, which may be the part that is down.
        if (afterRevision >= toRevision)
        {
            return [];
        }

        if (_sequencer.TryGetOps(afterRevision, toRevision, out var recent))
        {
            return recent;
        }

        return await log.ReadAsync(DocId, afterRevision, toRevision);
    }

    private async Task<TextAtRevision> TextAtAsync(int revision)
    {
        if (revision == CommittedRevision && _sequencer.AllCommitted)
        {
            return new TextAtRevision(revision, _sequencer.Text, _sequencer.Newest?.CommittedAt);
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

    /// <summary>Moves a range of the text at <paramref name="fromRevision"/> through the committed ops up to <paramref name="toRevision"/>.</summary>
    private async Task<AnchorRange> MoveAsync(AnchorRange range, int fromRevision, int toRevision)
    {
        var ops = await OpsAsync(fromRevision, toRevision);
        if (ops.Count != toRevision - fromRevision)
        {
            throw new InvalidOperationException($"Op log of '{DocId}' has {ops.Count} ops after revision {fromRevision} up to {toRevision}.");
        }

        foreach (var op in ops)
        {
            range = range.Through(op.Op);
        }

        return range;
    }

    /// <summary>Views of the known anchors among <paramref name="anchorIds"/>, at the committed revision.</summary>
    private async Task<IReadOnlyList<AnchorView>> AnchorViewsAsync(IEnumerable<string> anchorIds)
    {
        // Positions are taken before the text is read (which may await while commits land): both are at `revision`.
        var revision = CommittedRevision;
        var found = _anchors.Find(anchorIds);
        if (found.Count == 0)
        {
            return [];
        }

        var text = (await TextAtAsync(revision)).Text;
        return found.ConvertAll(a => new AnchorView(
            DocId, a.Id, a.Range.Start, a.Range.End, revision, text[a.Range.Start..a.Range.End], a.Range.Collapsed));
    }

    /// <summary>Tells the listener, if any, that <paramref name="revision"/> is durable. One-way: it never fails nor slows a commit.</summary>
    private void NotifyListener(int revision)
    {
        if (_listenerKey is not { } key)
        {
            return;
        }

        try
        {
            GrainFactory.GetGrain<IDocumentListener>(key).DocumentCommittedAsync(DocId, revision).Ignore();
        }
        catch (ArgumentException e)
        {
            // No grain class in the cluster implements IDocumentListener: the commit stands; say so once per activation.
            if (!_listenerUnresolved)
            {
                _listenerUnresolved = true;
                LogListenerUnresolved(logger, e, DocId, key);
            }
        }
    }

    private static bool SplitsSurrogatePair(string text, int position) =>
        position > 0 && position < text.Length && char.IsHighSurrogate(text[position - 1]) && char.IsLowSurrogate(text[position]);

    /// <summary>Pushes presence on a timer while it changes (the timer stops once nobody is present).</summary>
    private void SchedulePresencePush()
    {
        if (!_presence.Dirty)
        {
            return;
        }

        _presenceTimer ??= this.RegisterGrainTimer(PushPresenceAsync, new GrainTimerCreationOptions
        {
            DueTime = options.PresenceInterval,
            Period = options.PresenceInterval,
            Interleave = true,
        });
    }

    private async Task PushPresenceAsync(CancellationToken cancellationToken)
    {
        if (_presence.TakeBatch(clock.GetUtcNow()) is { } entries)
        {
            var snapshot = new PresenceChanged(DocId, CommittedRevision, entries);
            await _observers.Notify(o => o.PresenceChanged(snapshot));
        }
        else if (_presence.Count == 0)
        {
            _presenceTimer?.Dispose();
            _presenceTimer = null;
        }
    }

    private DocumentView View() => new(
        DocId,
        state.State.Title,
        CommittedRevision,
        _sequencer.AllCommitted ? _sequencer.Text.Length : -1,
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

    /// <summary>
    /// What <paramref name="caller"/> may do with the text now: observers read; a group's documents are its members'
    /// (besides facilitators and rapporteurs); a locked document accepts nothing; otherwise the owner's policy for the
    /// caller's role decides (the phase, the session's end, the recommendation's status).
    /// </summary>
    private DocumentAccess AccessOf(Caller caller)
    {
        if (caller.Role is not (Role.Facilitator or Role.Rapporteur or Role.Participant))
        {
            return new DocumentAccess(AccessMode.Read, AccessReasons.Observer);
        }

        if (caller.Role == Role.Participant && state.State.Editors is { } editors && !editors.Contains(caller.ParticipantId, StringComparer.Ordinal))
        {
            return new DocumentAccess(AccessMode.Read, AccessReasons.NotAMember);
        }

        if (state.State.Locked)
        {
            return new DocumentAccess(AccessMode.Read, AccessReasons.Locked);
        }

        var policy = state.State.Policy ?? AccessPolicy.Open;
        return caller.Role switch
        {
            Role.Facilitator => policy.Facilitator,
            Role.Rapporteur => policy.Rapporteur,
            _ => policy.Participant,
        };
    }

    /// <summary>Refuses an op of a caller who may not edit now, with the code of the reason; the op changes nothing.</summary>
    private void EnsureMayEdit(Caller caller)
    {
        var access = AccessOf(caller);
        if (access.Mode == AccessMode.Edit)
        {
            return;
        }

        throw access switch
        {
            { Reason: AccessReasons.Observer } => new ForbiddenException("document.read_only", "Observers can read but not edit."),
            { Reason: AccessReasons.NotAMember } => new ForbiddenException(
                "document.not_a_member", $"Only members of the group in room '{state.State.Room}' edit '{DocId}'."),
            { Reason: AccessReasons.Locked } => new ConflictException("document.locked", $"Document '{DocId}' is locked; it accepts no edits."),
            { Mode: AccessMode.Suggest } => new ForbiddenException(
                "document.suggest_only", $"Your role may only suggest changes to '{DocId}' now; send a suggestion instead."),
            { Reason: AccessReasons.Status } => new ConflictException(
                "document.status_locked", $"The recommendation's status locks '{DocId}'; it accepts no edits."),
            { Reason: AccessReasons.SessionEnded } => new ForbiddenException(
                "document.phase_read_only", $"The session ended: '{DocId}' is read only for your role."),
            _ => new ForbiddenException(
                "document.phase_read_only", $"In the '{access.Phase}' phase '{DocId}' is read only for your role."),
        };
    }

    /// <summary>Open clients reopen the document to learn their access (it differs per caller, so it is not pushed itself).</summary>
    private Task NotifyAccessChangedAsync()
    {
        var change = new AccessChanged(DocId, CommittedRevision);
        return _observers.Notify(o => o.AccessChanged(change));
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
        if (DocId.Length > options.MaxDocIdLength || !DocumentSequencer.IdPattern().IsMatch(DocId))
        {
            throw new ValidationFailedException(
                "document.id_invalid", $"A document id has 1–{options.MaxDocIdLength} letters, digits, '.', '_', '-' or ':'.", "docId");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocId} activated at revision {Revision} (snapshot {Snapshot}, {Replayed} ops replayed)")]
    private static partial void LogActivated(ILogger logger, string docId, int revision, int snapshot, int replayed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocId}: another activation wrote the same revision; reloading")]
    private static partial void LogConflict(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocId}: writing the snapshot failed; the op log has every op")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocId}: no grain implements IDocumentListener for listener {ListenerKey}; commits are not reported to it")]
    private static partial void LogListenerUnresolved(ILogger logger, Exception error, string docId, string listenerKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocId}: answering or notifying a committed batch failed; peers catch up from the log")]
    private static partial void LogCommitLoopFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocId}: appending to the op log failed; reloading")]
    private static partial void LogAppendFailed(ILogger logger, Exception error, string docId);
}
