namespace Collab.Web.Realtime;

/// <summary>
/// A web node's one object reference for one observer interface of one object, created on first use, exactly once,
/// however many subscriptions race to be the first. Two references to the same object are two subscribers to a grain:
/// a node that made a second one while its first subscription was under way (everyone opening documents at once on a
/// fresh node) got that grain's every push twice, and could never unsubscribe the first reference (its unsubscribe
/// named the second), so the grain pushed to it until the observer expiry and, at the silo's next graceful stop, told
/// the departed client that it was deactivating: an error from Orleans in the log of a stop that lost nothing.
/// </summary>
/// <remarks>
/// Not <see cref="Lazy{T}"/>: its thread-safe mode would keep a failed creation's exception for good, and its
/// publication-only mode may create twice, which is the fault this prevents.
/// </remarks>
public sealed class ObserverReference<T>
    where T : class, IGrainObserver
{
    private readonly Lock _creating = new();
    private T? _reference;

    /// <summary>The reference of <paramref name="observer"/>, made by <paramref name="create"/> the first time only.</summary>
    public T Of(T observer, Func<T, T> create)
    {
        if (Volatile.Read(ref _reference) is { } made)
        {
            return made;
        }

        lock (_creating)
        {
            if (_reference is null)
            {
                Volatile.Write(ref _reference, create(observer));
            }

            return _reference!;
        }
    }
}
