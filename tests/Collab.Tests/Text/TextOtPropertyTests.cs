using System.Text;
using Collab.Errors;
using Collab.Text;
using CsCheck;

namespace Collab.Tests.Text;

/// <summary>Algebraic laws of the OT engine over random texts with accents, combining marks, emoji and CJK.</summary>
public sealed class TextOtPropertyTests
{
    private static readonly string[] Pieces = ["a", "b", " ", "é", "e\u0301", "ç", "中", "文", "😀", "👩‍👩‍👧", "🇹🇬", "\n"];

    /// <summary>Texts as lists of code points, so that generated ops never cut a surrogate pair.</summary>
    private static List<string> RandomUnits(Random random, int max)
    {
        var units = new List<string>();
        var count = random.Next(0, max);
        for (var i = 0; i < count; i++)
        {
            var piece = Pieces[random.Next(Pieces.Length)];
            for (var j = 0; j < piece.Length; j++)
            {
                var take = char.IsHighSurrogate(piece[j]) ? 2 : 1;
                units.Add(piece.Substring(j, take));
                j += take - 1;
            }
        }

        return units;
    }

    private static string RandomInsert(Random random) => string.Concat(RandomUnits(random, 4).DefaultIfEmpty("x"));

    /// <summary>A random valid op over <paramref name="text"/> (given as code points).</summary>
    private static TextOperation RandomOp(Random random, List<string> text)
    {
        var components = new List<OpComponent>();
        var i = 0;
        while (i < text.Count)
        {
            var span = random.Next(1, Math.Min(5, text.Count - i) + 1);
            var length = text.Skip(i).Take(span).Sum(u => u.Length);
            switch (random.Next(4))
            {
                case 0:
                    components.Add(OpComponent.Delete(length));
                    break;
                case 1:
                    components.Add(OpComponent.Insert(RandomInsert(random)));
                    components.Add(OpComponent.Retain(length));
                    break;
                default:
                    components.Add(OpComponent.Retain(length));
                    break;
            }

            i += span;
        }

        if (random.Next(3) == 0)
        {
            components.Add(OpComponent.Insert(RandomInsert(random)));
        }

        return TextOt.Normalize(new TextOperation([.. components]));
    }

    private static List<string> CodePoints(string text)
    {
        var units = new List<string>();
        for (var i = 0; i < text.Length; i++)
        {
            var take = char.IsHighSurrogate(text[i]) ? 2 : 1;
            units.Add(text.Substring(i, take));
            i += take - 1;
        }

        return units;
    }

    [Fact]
    public void TransformSatisfiesTp1()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var units = RandomUnits(random, 30);
            var text = string.Concat(units);
            var a = RandomOp(random, units);
            var b = RandomOp(random, units);

            var (aPrime, bPrime) = TextOt.Transform(a, b);

            Assert.Equal(TextOt.Apply(TextOt.Apply(text, a), bPrime), TextOt.Apply(TextOt.Apply(text, b), aPrime));
        }, iter: 3000);
    }

    [Fact]
    public void ComposeIsApplyingOneAfterTheOther()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var units = RandomUnits(random, 30);
            var text = string.Concat(units);
            var a = RandomOp(random, units);
            var middle = TextOt.Apply(text, a);
            var b = RandomOp(random, CodePoints(middle));

            Assert.Equal(TextOt.Apply(middle, b), TextOt.Apply(text, TextOt.Compose(a, b)));
        }, iter: 3000);
    }

    [Fact]
    public void InvertUndoes()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var units = RandomUnits(random, 30);
            var text = string.Concat(units);
            var op = RandomOp(random, units);

            Assert.Equal(text, TextOt.Apply(TextOt.Apply(text, op), TextOt.Invert(op, text)));
        }, iter: 2000);
    }

    /// <summary>
    /// The same op written another way: runs split in two, and an insert moved after the delete it touches. Valid, not
    /// canonical.
    /// </summary>
    private static TextOperation Rewritten(Random random, TextOperation op)
    {
        var components = new List<OpComponent>();
        foreach (var c in op.Components)
        {
            if (c.Kind != OpKind.Insert && c.Count > 1 && random.Next(2) == 0)
            {
                var first = random.Next(1, c.Count);
                components.Add(c.Kind == OpKind.Retain ? OpComponent.Retain(first) : OpComponent.Delete(first));
                components.Add(c.Kind == OpKind.Retain ? OpComponent.Retain(c.Count - first) : OpComponent.Delete(c.Count - first));
            }
            else if (c.Kind == OpKind.Delete && components.Count > 0 && components[^1].Kind == OpKind.Insert && random.Next(2) == 0)
            {
                components.Insert(components.Count - 1, c);
            }
            else
            {
                components.Add(c);
            }
        }

        return new TextOperation([.. components]);
    }

    [Fact]
    public void TransformIsBlindToHowAnOpIsWritten()
    {
        var rewrites = 0;
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var units = RandomUnits(random, 30);
            var a = RandomOp(random, units);
            var b = RandomOp(random, units);
            var (aRewritten, bRewritten) = (Rewritten(random, a), Rewritten(random, b));
            rewrites += aRewritten.Equals(a) ? 0 : 1;

            Assert.Equal(TextOt.Transform(a, b), TextOt.Transform(aRewritten, bRewritten));
        }, iter: 3000);

        Assert.True(rewrites > 1000, $"only {rewrites} of 3000 ops were written differently");
    }

    [Fact]
    public void TransformedOpsAreCanonical()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var units = RandomUnits(random, 20);
            var (aPrime, bPrime) = TextOt.Transform(RandomOp(random, units), RandomOp(random, units));

            Assert.Equal(aPrime, TextOt.Normalize(aPrime));
            Assert.Equal(bPrime, TextOt.Normalize(bPrime));
        }, iter: 1000);
    }

    [Fact]
    public void PositionsFollowTheTextAroundThem()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var units = RandomUnits(random, 20);
            if (units.Count == 0)
            {
                return;
            }

            // A marker character's position moves exactly where the marker ends up when it is not deleted.
            var marked = random.Next(units.Count);
            var text = string.Concat(units);
            var position = units.Take(marked).Sum(u => u.Length);
            var op = RandomOp(random, units);
            var after = TextOt.Apply(text, op);
            var moved = TextOt.TransformPosition(position, op, Affinity.After);
            var deleteMarker = new List<OpComponent>();
            if (position > 0)
            {
                deleteMarker.Add(OpComponent.Retain(position));
            }

            deleteMarker.Add(OpComponent.Delete(units[marked].Length));
            if (text.Length - position - units[marked].Length is > 0 and var rest)
            {
                deleteMarker.Add(OpComponent.Retain(rest));
            }

            var survived = TextOt.Transform(new TextOperation([.. deleteMarker]), op).APrime;

            Assert.InRange(moved, 0, after.Length);
            if (!survived.IsNoop)
            {
                Assert.Equal(units[marked], after.Substring(moved, units[marked].Length));
            }
        }, iter: 2000);
    }

    [Fact]
    public void ConcurrentEditsThroughASequencerConverge()
    {
        // 5–20 clients edit concurrently; the sequencer transforms each op against what was committed since its base,
        // clients receive commits in order but at random times; every client ends with the server's text.
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var server = new List<TextOperation>();
            var serverText = "Recommandations : ";
            var clients = Enumerable.Range(0, random.Next(5, 21)).Select(_ => new SimClient(serverText)).ToList();

            // The sequencer commits a client's op: transform against everything after its base, append.
            void Commit(SimClient client)
            {
                var (op, baseRevision) = client.InFlight!.Value;
                foreach (var committed in server.Skip(baseRevision))
                {
                    op = TextOt.Transform(op, committed).APrime;
                }

                serverText = TextOt.Apply(serverText, op);
                server.Add(op);
                client.Committed = server.Count;
            }

            for (var step = 0; step < 200; step++)
            {
                var client = clients[random.Next(clients.Count)];
                switch (random.Next(3))
                {
                    case 0:
                        client.Edit(RandomOp(random, CodePoints(client.Text)));
                        break;
                    case 1 when client.InFlight is not null && client.Committed is null:
                        Commit(client);
                        break;
                    default:
                        client.Receive(server, random.Next(1, 4));
                        break;
                }
            }

            // Drain: commit everything in flight and deliver everything.
            while (clients.Any(c => c.HasPending))
            {
                foreach (var client in clients)
                {
                    if (client.InFlight is not null && client.Committed is null)
                    {
                        Commit(client);
                    }

                    client.Receive(server, int.MaxValue);
                }
            }

            foreach (var client in clients)
            {
                client.Receive(server, int.MaxValue);
            }

            Assert.All(clients, c => Assert.Equal(serverText, c.Text));
        }, iter: 200);
    }

    [Fact]
    public void ComposeOfMisalignedOpsIsATypedError()
    {
        var error = Assert.Throws<ValidationFailedException>(() => TextOt.Compose(TextOperation.Of(OpComponent.Retain(2)), TextOperation.Of(OpComponent.Retain(3))));

        Assert.Equal("op.base_length_mismatch", error.Code);
    }

    /// <summary>A client of the simulated sequencer: one op in flight, later edits buffered, incoming ops transformed.</summary>
    private sealed class SimClient(string text)
    {
        private TextOperation? _buffer;

        public string Text { get; private set; } = text;

        public int Revision { get; private set; }

        public (TextOperation Op, int BaseRevision)? InFlight { get; private set; }

        /// <summary>The revision the in-flight op was committed as, once the server has it.</summary>
        public int? Committed { get; set; }

        public bool HasPending => InFlight is not null || _buffer is not null;

        public void Edit(TextOperation op)
        {
            Text = TextOt.Apply(Text, op);
            if (InFlight is null)
            {
                InFlight = (op, Revision);
            }
            else
            {
                _buffer = _buffer is null ? op : TextOt.Compose(_buffer, op);
            }
        }

        public void Receive(List<TextOperation> server, int count)
        {
            for (var n = 0; n < count && Revision < server.Count; n++)
            {
                var revision = Revision + 1;
                if (Committed == revision)
                {
                    // Our own op: the ack.
                    Revision = revision;
                    Committed = null;
                    InFlight = _buffer is null ? null : (_buffer, Revision);
                    _buffer = null;
                    continue;
                }

                var incoming = server[revision - 1];
                if (InFlight is { } sent)
                {
                    var (sentPrime, incomingPrime) = TextOt.Transform(sent.Op, incoming);
                    InFlight = (sentPrime, revision);
                    incoming = incomingPrime;
                    if (_buffer is not null)
                    {
                        (_buffer, incoming) = TextOt.Transform(_buffer, incoming);
                    }
                }

                Text = TextOt.Apply(Text, incoming);
                Revision = revision;
            }
        }
    }
}
