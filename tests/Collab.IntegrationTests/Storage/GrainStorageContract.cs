using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace Collab.IntegrationTests.Storage;

/// <summary>
/// What every grain storage of Collab must do, whichever database is underneath: grains rely on it for
/// "nothing acknowledged is lost" and "a stale activation never overwrites a newer one".
/// Runs against the real storage resolved from a real silo host.
/// </summary>
public abstract class GrainStorageContract : IAsyncLifetime
{
    private IHost? _host;

    protected IGrainStorage Storage { get; private set; } = null!;

    protected abstract Task<IHost> StartHostAsync();

    public async Task InitializeAsync()
    {
        _host = await StartHostAsync();
        Storage = _host.Services.GetRequiredKeyedService<IGrainStorage>("Default");
    }

    public virtual async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    private static GrainId NewGrain() => GrainId.Create("contract", Guid.NewGuid().ToString("N"));

    private static GrainState<List<string>> State(params string[] items) => new([.. items]);

    [Fact]
    public async Task ReadOfNeverWrittenStateReportsNoRecord()
    {
        var state = State("stale memory");
        await Storage.ReadStateAsync("s", NewGrain(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Empty(state.State!);
    }

    [Fact]
    public async Task WrittenStateIsReadBackByAnotherReaderWithTheSameETag()
    {
        var grain = NewGrain();
        var written = State("Bénin", "Côte d'Ivoire", "🇹🇬");
        await Storage.WriteStateAsync("s", grain, written);

        var read = State();
        await Storage.ReadStateAsync("s", grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(["Bénin", "Côte d'Ivoire", "🇹🇬"], read.State);
    }

    [Fact]
    public async Task StatesOfOneGrainAreKeptApartByName()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync("first", grain, State("one"));
        await Storage.WriteStateAsync("second", grain, State("two"));

        var first = State();
        await Storage.ReadStateAsync("first", grain, first);
        Assert.Equal(["one"], first.State);
    }

    [Fact]
    public async Task StaleWriteIsRejectedAndChangesNothing()
    {
        var grain = NewGrain();
        var original = State("v1");
        await Storage.WriteStateAsync("s", grain, original);

        var winner = State();
        await Storage.ReadStateAsync("s", grain, winner);
        var loser = State();
        await Storage.ReadStateAsync("s", grain, loser);

        winner.State = ["v2 from the winner"];
        await Storage.WriteStateAsync("s", grain, winner);

        loser.State = ["v2 from a stale activation"];
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("s", grain, loser));

        var stored = State();
        await Storage.ReadStateAsync("s", grain, stored);
        Assert.Equal(["v2 from the winner"], stored.State);
        Assert.Equal(winner.ETag, stored.ETag);
    }

    [Fact]
    public async Task FirstWriteOverAnExistingRecordIsRejected()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync("s", grain, State("exists"));

        var blind = State("written without reading");
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("s", grain, blind));

        var stored = State();
        await Storage.ReadStateAsync("s", grain, stored);
        Assert.Equal(["exists"], stored.State);
    }

    [Fact]
    public async Task StaleClearIsRejectedAndChangesNothing()
    {
        var grain = NewGrain();
        var stale = State("v1");
        await Storage.WriteStateAsync("s", grain, stale);
        var current = State();
        await Storage.ReadStateAsync("s", grain, current);
        current.State = ["v2"];
        await Storage.WriteStateAsync("s", grain, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync("s", grain, stale));

        var stored = State();
        await Storage.ReadStateAsync("s", grain, stored);
        Assert.True(stored.RecordExists);
        Assert.Equal(["v2"], stored.State);
    }

    [Fact]
    public async Task ClearedStateReadsAsAbsentAndCanBeWrittenAgain()
    {
        var grain = NewGrain();
        var state = State("to be cleared");
        await Storage.WriteStateAsync("s", grain, state);
        await Storage.ClearStateAsync("s", grain, state);

        var afterClear = State("stale memory");
        await Storage.ReadStateAsync("s", grain, afterClear);
        Assert.False(afterClear.RecordExists);
        Assert.Empty(afterClear.State!);
        Assert.NotNull(afterClear.ETag);

        afterClear.State = ["written again"];
        await Storage.WriteStateAsync("s", grain, afterClear);
        var stored = State();
        await Storage.ReadStateAsync("s", grain, stored);
        Assert.Equal(["written again"], stored.State);
    }

    [Fact]
    public async Task OfConcurrentWritersHoldingTheSameETagExactlyOneWins()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync("s", grain, State("base"));
        var readers = new List<GrainState<List<string>>>();
        for (var i = 0; i < 8; i++)
        {
            var reader = State();
            await Storage.ReadStateAsync("s", grain, reader);
            reader.State = [$"writer {i}"];
            readers.Add(reader);
        }

        var outcomes = await Task.WhenAll(readers.Select(async r =>
        {
            try
            {
                await Storage.WriteStateAsync("s", grain, r);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        var stored = State();
        await Storage.ReadStateAsync("s", grain, stored);
        Assert.Equal(readers[Array.IndexOf(outcomes, true)].State, stored.State);
    }
}
