using Collab.Documents;
using Collab.Web.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Realtime;

/// <summary>
/// A web node subscribes to grains under one observer reference per interface. Subscriptions that race to be the
/// node's first (everyone opening documents at once on a fresh node) must get that one reference: with two, a grain
/// counted the node twice, pushed everything to it twice and kept the first after the node unsubscribed the second.
/// </summary>
public sealed class ObserverReferenceTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private sealed class Node : IDocumentObserver
    {
        public Task OpsCommitted(OpsCommitted committed) => Task.CompletedTask;

        public Task PresenceChanged(PresenceChanged presence) => Task.CompletedTask;

        public Task LockChanged(LockChanged change) => Task.CompletedTask;

        public Task AccessChanged(AccessChanged change) => Task.CompletedTask;

        public Task Deactivating(string docId) => Task.CompletedTask;
    }

    [Fact]
    public void SubscriptionsRacingToBeTheFirstAllGetTheOneReference()
    {
        _ = node.Address; // the server starts on Kestrel first
        var cluster = node.Services.GetRequiredService<IClusterClient>();
        var observer = new Node();
        var reference = new ObserverReference<IDocumentObserver>();
        const int Racers = 6;
        var made = 0;
        var got = new IDocumentObserver?[Racers];
        var arrived = new bool[Racers];
        Thread[] threads = [];

        // The first creation holds until every other racer is inside Of() too: blocked behind it (one creation) or
        // creating a second reference (the fault). No sleeping: it waits for that state, with a timeout.
        IDocumentObserver Create(IDocumentObserver target)
        {
            var current = Thread.CurrentThread;
            Interlocked.Increment(ref made);
            SpinWait.SpinUntil(
                () => Volatile.Read(ref made) > 1 || threads.Select((t, i) => (t, i)).Where(x => x.t != current)
                    .All(x => Volatile.Read(ref arrived[x.i]) && x.t.ThreadState.HasFlag(ThreadState.WaitSleepJoin)),
                TimeSpan.FromSeconds(10));
            return cluster.CreateObjectReference<IDocumentObserver>(target);
        }

        using var start = new Barrier(Racers);
        threads = [.. Enumerable.Range(0, Racers).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            Volatile.Write(ref arrived[i], true);
            got[i] = reference.Of(observer, Create);
        }))];
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        try
        {
            Assert.Equal(1, made);
            Assert.All(got, r => Assert.Same(got[0], r));
            Assert.Same(got[0], reference.Of(observer, Create));
            Assert.Equal(1, made);
        }
        finally
        {
            cluster.DeleteObjectReference<IDocumentObserver>(got[0]!);
        }
    }
}
