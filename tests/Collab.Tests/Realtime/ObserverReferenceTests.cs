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
        var made = 0;
        IDocumentObserver Create(IDocumentObserver target)
        {
            Interlocked.Increment(ref made);
            Thread.Sleep(50); // as slow as a cold node's first reference: the others arrive meanwhile
            return cluster.CreateObjectReference<IDocumentObserver>(target);
        }

        const int Racers = 6;
        var got = new IDocumentObserver?[Racers];
        using var start = new Barrier(Racers);
        var threads = Enumerable.Range(0, Racers).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            got[i] = reference.Of(observer, Create);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

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
