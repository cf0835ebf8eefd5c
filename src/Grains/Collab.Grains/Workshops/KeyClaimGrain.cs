namespace Collab.Workshops;

internal sealed class KeyClaimGrain([PersistentState("claim")] IPersistentState<KeyClaimState> state) : Grain, IKeyClaimGrain, Hosting.IMayNotExist
{
    bool Hosting.IMayNotExist.Exists => state.State.Owner is not null;

    async Task<bool> IKeyClaimGrain.ClaimAsync(string workshopId)
    {
        if (state.State.Owner is { } owner)
        {
            return owner == workshopId;
        }

        state.State.Owner = workshopId;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Owner = null;
            throw;
        }

        return true;
    }

    // Nobody holds an unknown key (a mistyped or guessed join code): UnknownIdFilter deactivates it after the call.
    Task<string?> IKeyClaimGrain.ResolveAsync() => Task.FromResult(state.State.Owner);

    async Task IKeyClaimGrain.ReleaseAsync(string workshopId)
    {
        if (state.State.Owner == workshopId)
        {
            await state.ClearStateAsync();
            state.State = new KeyClaimState();
        }
    }
}

/// <summary>Persisted state of <see cref="KeyClaimGrain"/>.</summary>
[GenerateSerializer, Alias("collab.KeyClaimState")]
internal sealed class KeyClaimState
{
    [Id(0)] public string? Owner { get; set; }
}
