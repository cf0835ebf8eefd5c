using Collab.Documents;
using Collab.Text;
using Collab.Web.Realtime;

namespace Collab.Tests.Realtime;

/// <summary>
/// Which local connection a push may skip (issue 16, fan-out): the one that submitted every op in it, under one client id,
/// as the ops' author. Anything less certain is pushed to everyone, the author included, as before.
/// </summary>
public sealed class SubmittersTests
{
    private static CommittedOp Op(int revision, string clientId, string authorId) =>
        new(revision, TextOperation.Of(OpComponent.Insert("x")), clientId, revision, authorId, authorId, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public void APushOfOneClientsOpsSkipsTheConnectionThatSubmittedThem()
    {
        var book = new Submitters();
        book.Note("amina-tab", "conn-a", "p-amina");
        book.Note("kofi-tab", "conn-k", "p-kofi");

        Assert.Equal("conn-a", book.SoleSubmitter([Op(1, "amina-tab", "p-amina"), Op(2, "amina-tab", "p-amina")]));
        Assert.Equal("conn-k", book.SoleSubmitter([Op(3, "kofi-tab", "p-kofi")]));
    }

    [Fact]
    public void APushMixingClientsOrFromAnUnknownClientGoesToEveryone()
    {
        var book = new Submitters();
        book.Note("amina-tab", "conn-a", "p-amina");

        Assert.Null(book.SoleSubmitter([Op(1, "amina-tab", "p-amina"), Op(2, "kofi-tab", "p-kofi")]));
        Assert.Null(book.SoleSubmitter([Op(1, "http-edit", "p-amina")]));
        Assert.Null(book.SoleSubmitter([]));
    }

    [Fact]
    public void AClientIdClaimedByAnotherParticipantsConnectionSkipsNobody()
    {
        // Kofi's connection submits under Amina's client id: her ops must still reach him (and her own connection).
        var book = new Submitters();
        book.Note("amina-tab", "conn-a", "p-amina");
        book.Note("amina-tab", "conn-k", "p-kofi");

        Assert.Null(book.SoleSubmitter([Op(1, "amina-tab", "p-amina")]));
    }

    [Fact]
    public void AClientIdMovesToTheConnectionThatUsedItLastAndEachConnectionKeepsOneEntry()
    {
        var book = new Submitters();
        Assert.True(book.Note("amina-tab", "conn-1", "p-amina"));
        Assert.False(book.Note("amina-tab", "conn-1", "p-amina"));

        // A reconnect resubmits under the same id over a new connection.
        Assert.True(book.Note("amina-tab", "conn-2", "p-amina"));
        Assert.Equal("conn-2", book.SoleSubmitter([Op(1, "amina-tab", "p-amina")]));
        Assert.Equal(1, book.Count);

        // A connection that switches client ids keeps only the newest: hostile ids cannot grow the book.
        for (var i = 0; i < 1_000; i++)
        {
            book.Note($"id-{i}", "conn-2", "p-amina");
        }

        Assert.Equal(1, book.Count);
        Assert.Null(book.SoleSubmitter([Op(1, "amina-tab", "p-amina")]));
        Assert.Equal("conn-2", book.SoleSubmitter([Op(2, "id-999", "p-amina")]));
    }

    [Fact]
    public void AForgottenConnectionIsSkippedNoMoreAndOverlongIdsAreNotNoted()
    {
        var book = new Submitters();
        book.Note("amina-tab", "conn-a", "p-amina");
        book.Forget("conn-a");
        Assert.Null(book.SoleSubmitter([Op(1, "amina-tab", "p-amina")]));
        Assert.Equal(0, book.Count);

        var overlong = new string('x', Submitters.MaxClientIdLength + 1);
        book.Note(overlong, "conn-a", "p-amina");
        Assert.Equal(0, book.Count);
    }
}
