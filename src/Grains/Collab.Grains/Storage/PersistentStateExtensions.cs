namespace Collab.Storage;

/// <summary>Validate → write → notify, in one place.</summary>
internal static class PersistentStateExtensions
{
    /// <summary>
    /// Makes <paramref name="next"/> the state and stores it. If the write fails, the previous state is current again
    /// and the error propagates: nobody sees a change that is not durable.
    /// </summary>
    public static async Task ReplaceAsync<T>(this IPersistentState<T> state, T next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }
}
