using Collab.Documents;
using Collab.Errors;
using Collab.Text;
using CsCheck;

namespace Collab.Tests.Documents;

/// <summary>
/// The sequencer under random interleavings of several clients' submissions, driven the way <see cref="DocumentGrain"/>
/// drives it (every await a point where other submissions, commits, snapshots and restarts may come in), against a
/// reference model: the full history of the op log. Fresh ops, stale bases within and beyond the in-memory window,
/// resubmissions (also racing their original, also after the client's mark was dropped), reused sequence numbers and
/// invalid ops. Checked: every op applied once, every ack the original one, each committed op the submitted op
/// transformed through the whole history since its base, each refusal's code, and the final text.
/// </summary>
public sealed class DocumentSequencerPropertyTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 12, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Inserts = ["a", "é", "😀", " ", "bc", "中"];

    [Fact]
    public void InterleavedSubmissionsMatchTheFullHistoryModel() =>
        Gen.Int.Sample(seed => new World(seed, new DocumentOptions { RecentOpsKept = 3 }, marksBounded: false).Run(80), iter: 400);

    [Fact]
    public void InterleavedSubmissionsMatchTheFullHistoryModelWhenMarksAreDropped() =>
        Gen.Int.Sample(
            seed => new World(seed, new DocumentOptions { RecentOpsKept = 3, ClientMarksKept = 2, ClientMarkSpan = 6 }, marksBounded: true).Run(80),
            iter: 400);

    [Fact]
    public void ResubmissionsAfterTheirMarkWasDroppedKeepTheirOriginalAck() =>
        Gen.Int.Sample(
            seed => new World(seed, new DocumentOptions { RecentOpsKept = 2, ClientMarksKept = 1, ClientMarkSpan = 3 }, marksBounded: true)
            {
                ResubmitWeight = 6,
            }.Run(60),
            iter: 400);

    private enum Kind
    {
        Fresh,
        ReusedSeq,
        FutureBase,
        Malformed,
        WrongLength,
        BadClient,
        BadSeq,
    }

    private enum Stage
    {
        Start,
        Recognise,
        SearchingLog,
        ReadingLog,
        WaitingAck,
        Done,
    }

    private sealed record Spec(Kind Kind, string Client, long Seq, int Base, TextOperation Op);

    /// <summary>One call of SubmitAsync, suspended at its awaits.</summary>
    private sealed class Submission(Spec spec, bool resubmission)
    {
        public Spec Spec { get; } = spec;

        public bool Resubmission { get; } = resubmission;

        /// <summary>Whether its (client, sequence number) was in the log when it was sent.</summary>
        public bool CommittedBefore { get; init; }

        public Stage Stage { get; set; }

        public int? LogSearchedUpTo { get; set; }

        public int SearchSentAt { get; set; }

        public long? ReusedUpTo { get; set; }

        public DocumentSequencer.Rebase? Rebase { get; set; }

        public (int After, int To) Range { get; set; }

        public int Revision { get; set; }

        public SubmitResult? Result { get; set; }

        public string? Code { get; set; }
    }

    private sealed class World
    {
        private readonly Random _random;
        private readonly DocumentOptions _options;
        private readonly bool _marksBounded;
        private readonly string _initial;
        private readonly List<CommittedOp> _log = [];
        private readonly List<string> _texts = [];
        private readonly List<CommittedOp> _queue = [];
        private readonly Dictionary<int, Submission> _sequencedBy = [];
        private readonly List<Submission> _submissions = [];
        private readonly List<Submission> _originals = [];
        private readonly Dictionary<string, long> _nextSeq = [];
        private readonly List<string> _trace = [];
        private DocumentSequencer _sequencer;
        private (string Text, int Revision, Dictionary<string, ClientMark> Marks, int CompleteAfter) _snapshot;

        public World(int seed, DocumentOptions options, bool marksBounded)
        {
            _random = new Random(seed);
            _options = options;
            _marksBounded = marksBounded;
            _initial = _random.Next(2) == 0 ? "" : "Bénin 😀 Togo";
            _texts.Add(_initial);
            _sequencer = new DocumentSequencer("doc", options, _initial);
            _snapshot = (_initial, 0, [], 0);
            for (var i = 0; i < 4; i++)
            {
                _nextSeq["c" + i] = 1;
            }
        }

        public int ResubmitWeight { get; init; } = 2;

        public void Run(int steps)
        {
            for (var i = 0; i < steps; i++)
            {
                var pick = _random.Next(10 + ResubmitWeight);
                var suspended = _submissions.Where(s => s.Stage != Stage.Done).ToList();
                if (pick < 4)
                {
                    Start(NewSpec(), resubmission: false);
                }
                else if (pick < 6 && suspended.Count > 0)
                {
                    Advance(suspended[_random.Next(suspended.Count)]);
                }
                else if (pick < 8 && _queue.Count > 0)
                {
                    Commit(_random.Next(1, _queue.Count + 1));
                }
                else if (pick == 8)
                {
                    TakeSnapshot();
                }
                else if (pick == 9)
                {
                    Restart();
                }
                else if (_originals.Count > 0)
                {
                    Start(_originals[_random.Next(_originals.Count)].Spec, resubmission: true);
                }
            }

            // Everything in flight finishes.
            for (var round = 0; _submissions.Any(s => s.Stage != Stage.Done) || _queue.Count > 0; round++)
            {
                Assert.True(round < 1_000, "submissions never finish");
                Commit(_queue.Count);
                foreach (var s in _submissions.Where(s => s.Stage != Stage.Done).ToList())
                {
                    Advance(s);
                }
            }

            Restart();
            Check();
        }

        private void Start(Spec spec, bool resubmission)
        {
            var submission = new Submission(spec, resubmission)
            {
                CommittedBefore = _log.Exists(o => ReferenceEquals(_sequencedBy[o.Revision].Spec, spec)),
            };
            _submissions.Add(submission);
            if (!resubmission)
            {
                _originals.Add(submission);
            }

            Advance(submission);
        }

        private Spec NewSpec()
        {
            var client = "c" + _random.Next(4);
            var committed = _log.Count;
            var @base = Math.Max(0, committed - _random.Next(9));
            var op = RandomOp(_texts[@base]);
            var kind = (Kind)_random.Next(12) switch
            {
                var k when k > Kind.BadSeq => Kind.Fresh,
                var k => k,
            };
            switch (kind)
            {
                case Kind.ReusedSeq when _nextSeq[client] > 1:
                    return new Spec(kind, client, _random.Next(1, (int)_nextSeq[client]), @base, op);
                case Kind.FutureBase:
                    return new Spec(kind, client, _nextSeq[client]++, _sequencer.Revision + 1_000, op);
                case Kind.Malformed:
                    return new Spec(kind, client, _nextSeq[client]++, @base, TextOperation.Of(OpComponent.Retain(0), OpComponent.Insert("x")));
                case Kind.WrongLength:
                    return new Spec(kind, client, _nextSeq[client]++, @base, TextOperation.Of(OpComponent.Retain(_texts[@base].Length + 1), OpComponent.Insert("x")));
                case Kind.BadClient:
                    return new Spec(kind, "bad client", 1, @base, op);
                case Kind.BadSeq:
                    return new Spec(kind, client, 0, @base, op);
                default:
                    return new Spec(Kind.Fresh, client, _nextSeq[client]++, @base, op);
            }
        }

        /// <summary>A random op on <paramref name="text"/> that never splits a surrogate pair: insert, delete or replace.</summary>
        private TextOperation RandomOp(string text)
        {
            var cuts = Enumerable.Range(0, text.Length + 1).Where(p => p == 0 || p == text.Length || !char.IsLowSurrogate(text[p])).ToList();
            var i = cuts[_random.Next(cuts.Count)];
            var j = cuts[_random.Next(cuts.Count)];
            (i, j) = (Math.Min(i, j), Math.Max(i, j));
            var insert = i == j || _random.Next(2) == 0 ? Inserts[_random.Next(Inserts.Length)] : "";
            var components = new List<OpComponent>();
            if (i > 0)
            {
                components.Add(OpComponent.Retain(i));
            }

            if (j > i)
            {
                components.Add(OpComponent.Delete(j - i));
            }

            if (insert.Length > 0)
            {
                components.Add(OpComponent.Insert(insert));
            }

            if (text.Length > j)
            {
                components.Add(OpComponent.Retain(text.Length - j));
            }

            return TextOt.Normalize(new TextOperation([.. components]));
        }

        /// <summary>Runs a submission until its next await, as DocumentGrain.SubmitAsync does.</summary>
        private void Advance(Submission s)
        {
            var spec = s.Spec;
            try
            {
                while (true)
                {
                    switch (s.Stage)
                    {
                        case Stage.Start:
                            _sequencer.ValidateClient(spec.Client, spec.Seq);
                            s.Stage = Stage.Recognise;
                            break;
                        case Stage.Recognise:
                            var recognition = _sequencer.Recognise(spec.Client, spec.Seq, spec.Base, s.LogSearchedUpTo);
                            switch (recognition.Kind)
                            {
                                case RecognitionKind.Known:
                                    Finish(s, new SubmitResult(recognition.Original!.Revision, recognition.Original.Op));
                                    return;
                                case RecognitionKind.Pending:
                                    s.Revision = recognition.PendingRevision;
                                    s.Stage = Stage.WaitingAck;
                                    return;
                                case RecognitionKind.SearchLog:
                                    s.ReusedUpTo = recognition.ReusedUpTo;
                                    s.SearchSentAt = _sequencer.CommittedRevision;
                                    s.Stage = Stage.SearchingLog;
                                    return;
                            }

                            s.Rebase ??= _sequencer.Admit(spec.Op, spec.Base);
                            if (_sequencer.Missing(s.Rebase) is { } missing)
                            {
                                s.Range = missing;
                                s.Stage = Stage.ReadingLog;
                                return;
                            }

                            var entry = _sequencer.Sequence(s.Rebase, spec.Client, spec.Seq, "p", spec.Client, At, null);
                            _trace.Add($"sequenced {spec} as {entry.Revision}; marks {string.Join(",", _sequencer.Marks.ToDictionary())} after {_sequencer.Marks.CompleteAfter}");
                            _queue.Add(entry);
                            _sequencedBy[entry.Revision] = s;
                            s.Revision = entry.Revision;
                            s.Stage = Stage.WaitingAck;
                            return;
                        case Stage.SearchingLog:
                            // The log as it was when the search was sent: the answer may be stale by the time it is read.
                            if (_log.Take(s.SearchSentAt).FirstOrDefault(o => o.ClientId == spec.Client && o.ClientSeq == spec.Seq) is { } found)
                            {
                                Finish(s, new SubmitResult(found.Revision, found.Op));
                                return;
                            }

                            if (s.ReusedUpTo is { } upTo)
                            {
                                throw DocumentSequencer.SequenceReused(spec.Client, upTo);
                            }

                            s.LogSearchedUpTo = s.SearchSentAt;
                            s.Stage = Stage.Recognise;
                            break;
                        case Stage.ReadingLog:
                            var (after, to) = s.Range;
                            _sequencer.Through(s.Rebase!, _log.Where(o => o.Revision > after && o.Revision <= to).ToList(), to);
                            s.Stage = Stage.Recognise;
                            break;
                        case Stage.WaitingAck:
                            if (_log.Count >= s.Revision)
                            {
                                Finish(s, new SubmitResult(s.Revision, _log[s.Revision - 1].Op));
                            }

                            return;
                        default:
                            return;
                    }
                }
            }
            catch (CollabException e)
            {
                s.Code = e.Code;
                s.Stage = Stage.Done;
            }
        }

        private static void Finish(Submission s, SubmitResult result)
        {
            s.Result = result;
            s.Stage = Stage.Done;
        }

        private void Commit(int count)
        {
            if (count == 0)
            {
                return;
            }

            var batch = _queue.GetRange(0, count);
            _queue.RemoveRange(0, count);
            foreach (var op in batch)
            {
                Assert.Equal(_log.Count + 1, op.Revision);
                _log.Add(op);
                _texts.Add(TextOt.Apply(_texts[^1], op.Op));
            }

            _sequencer.Committed(batch);
            _trace.Add($"committed up to {_sequencer.CommittedRevision}");
            Assert.Equal(_texts[^1].Length, _sequencer.CommittedLength);
            Assert.True(_sequencer.Marks.Count <= _options.ClientMarksKept);
        }

        /// <summary>The grain snapshots only when nothing is queued.</summary>
        private void TakeSnapshot()
        {
            if (_sequencer.AllCommitted)
            {
                _snapshot = (_sequencer.Text, _sequencer.CommittedRevision, _sequencer.Marks.ToDictionary(), _sequencer.Marks.CompleteAfter);
            }
        }

        /// <summary>A new activation from the last snapshot and the log's tail (only when no call is in flight).</summary>
        private void Restart()
        {
            if (_queue.Count > 0 || _submissions.Any(s => s.Stage != Stage.Done))
            {
                return;
            }

            var marks = ClientMarks.Restore(_snapshot.Marks, _snapshot.CompleteAfter, _options.ClientMarksKept, _options.ClientMarkSpan);
            var sequencer = new DocumentSequencer("doc", _options, _snapshot.Text, _snapshot.Revision, marks);
            foreach (var op in _log.Skip(_snapshot.Revision))
            {
                sequencer.Replay(op);
            }

            sequencer.PruneMarks();
            _trace.Add($"restarted from snapshot {_snapshot.Revision}");
            Assert.Equal((_texts[^1], _log.Count), (sequencer.Text, sequencer.Revision));
            _sequencer = sequencer;
        }

        private void Check()
        {
            // The text is the log applied to the initial text, here and in the sequencer.
            Assert.Equal(_texts[^1], _sequencer.Text);
            Assert.Equal(_log.Count, _sequencer.CommittedRevision);
            Assert.True(_marksBounded || _sequencer.Marks.CompleteAfter == 0, "a mark was dropped though the bounds are far");

            // No op is applied twice: a spec (an op and its resubmissions) is sequenced at most once.
            var sequenced = new Dictionary<Spec, CommittedOp>(ReferenceEqualityComparer.Instance);
            foreach (var op in _log)
            {
                Assert.True(sequenced.TryAdd(_sequencedBy[op.Revision].Spec, op), $"{_sequencedBy[op.Revision].Spec} applied twice\n{string.Join("\n", _trace)}");
            }

            // With every mark kept, even a sequence number reused for another op is never committed twice.
            var byClientSeq = _log.GroupBy(o => (o.ClientId, o.ClientSeq)).ToDictionary(g => g.Key, g => g.First());
            Assert.True(_marksBounded || byClientSeq.Count == _log.Count, $"a (client, sequence number) is in the log twice\n{string.Join("\n", _trace)}");

            // Every ack is the original: the op's own commit, or (for another op under a used sequence number) a
            // commit under that number (the only one while every mark is kept).
            foreach (var s in _submissions)
            {
                if (s.Result is { } result)
                {
                    // Several only when a client reused a number for another op after its mark was dropped (ClientMarks).
                    var underItsNumber = _log.FindAll(o => o.ClientId == s.Spec.Client && o.ClientSeq == s.Spec.Seq);
                    var logged = sequenced.TryGetValue(s.Spec, out var own) && underItsNumber.Count == 1 ? [own] : underItsNumber;
                    Assert.True(logged.Count > 0, $"{s.Spec} acknowledged but not in the log");
                    Assert.Contains(result, logged.Select(o => new SubmitResult(o.Revision, o.Op)));
                }
                else
                {
                    Assert.NotNull(s.Code);
                    CheckRefusal(s);
                }
            }

            // Each committed op is the submitted op transformed through the whole history since its base.
            foreach (var op in _log)
            {
                var by = _sequencedBy[op.Revision];
                Assert.NotNull(by.Result);
                var expected = by.Spec.Op;
                for (var r = by.Spec.Base + 1; r < op.Revision; r++)
                {
                    expected = TextOt.Transform(expected, _log[r - 1].Op).APrime;
                }

                Assert.Equal(expected, op.Op);
            }
        }

        private void CheckRefusal(Submission s)
        {
            var code = s.Code;
            var kind = s.Spec.Kind;
            // (A base in the future is refused before the log is asked when the client's mark was dropped: it is a lie.)
            Assert.False(
                s.CommittedBefore && kind is not (Kind.BadClient or Kind.BadSeq or Kind.FutureBase),
                $"{s.Spec} refused ({code}) though it was committed");
            if (code == "op.sequence_reused")
            {
                // Its client committed this or a later sequence number first (these clients do not wait for acks).
                Assert.True(_log.Exists(o => o.ClientId == s.Spec.Client && o.ClientSeq >= s.Spec.Seq), $"{s.Spec} refused as reused");
                return;
            }

            var expected = kind switch
            {
                Kind.BadClient => "op.client_id_invalid",
                Kind.BadSeq => "op.client_seq_invalid",
                Kind.FutureBase => "revision.in_future",
                Kind.Malformed => "op.malformed",
                Kind.WrongLength => "op.base_length_mismatch",
                _ => "no refusal",
            };
            Assert.True(code == expected, $"{s.Spec}: {code}, expected {expected}");
        }
    }
}
