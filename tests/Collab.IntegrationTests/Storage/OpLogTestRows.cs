using Collab.Documents;
using Collab.Text;

namespace Collab.IntegrationTests.Storage;

/// <summary>Ops to append and how the op-log writer tests compare what they read back.</summary>
internal static class OpLogTestRows
{
    /// <summary>An op of <paramref name="client"/> at <paramref name="revision"/> inserting <paramref name="text"/> at the end.</summary>
    public static CommittedOp Op(int revision, string client, string text) =>
        new(revision, revision == 1 ? TextOperation.Of(OpComponent.Insert(text)) : TextOperation.Of(OpComponent.Retain(revision - 1), OpComponent.Insert(text)),
            client, revision, "p1", "Délégation du Togo", DateTimeOffset.UtcNow, revision % 2 == 0 ? DateTimeOffset.UtcNow.AddSeconds(-1) : null);

    /// <summary><paramref name="count"/> consecutive ops of <paramref name="client"/> from <paramref name="from"/>, each text naming its op.</summary>
    public static CommittedOp[] Ops(int from, int count, string client = "c") =>
        [.. Enumerable.Range(from, count).Select(r => Op(r, client, $"{client}{r} é😀"))];

    /// <summary>How an append ended: null once committed, or what it failed with (within 30 s).</summary>
    public static async Task<Exception?> OutcomeAsync(Task append)
    {
        try
        {
            await append.WaitAsync(TimeSpan.FromSeconds(30));
            return null;
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            return e;
        }
    }

    public static void AssertSameOps(IReadOnlyList<CommittedOp> expected, IReadOnlyList<CommittedOp> actual)
    {
        Assert.Equal(expected.Select(o => o.Revision), actual.Select(o => o.Revision));
        Assert.Equal(expected.Select(o => o.Op), actual.Select(o => o.Op));
        Assert.Equal(
            expected.Select(o => (o.ClientId, o.ClientSeq, o.AuthorName, o.ClientTime.HasValue)),
            actual.Select(o => (o.ClientId, o.ClientSeq, o.AuthorName, o.ClientTime.HasValue)));
    }
}
