using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Collab.IntegrationTests.Storage;

/// <summary>
/// The reminder table behind session deadlines: rows survive the process, versions guard removal, and range reads
/// give each silo exactly its slice of the hash ring, including the slice that wraps past zero.
/// </summary>
public abstract class ReminderTableContract : IAsyncLifetime
{
    private IHost? _host;

    protected IReminderTable Table { get; private set; } = null!;

    protected abstract Task<IHost> StartHostAsync();

    public async Task InitializeAsync()
    {
        _host = await StartHostAsync();
        Table = _host.Services.GetRequiredService<IReminderTable>();
        await Table.TestOnlyClearTable();
    }

    public virtual async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    private static ReminderEntry Entry(GrainId grain, string name, int minutes = 5) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc),
        Period = TimeSpan.FromMinutes(minutes),
    };

    private static GrainId NewGrain() => GrainId.Create("session", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task UpsertedReminderIsReadBackWithItsVersion()
    {
        var grain = NewGrain();
        var etag = await Table.UpsertRow(Entry(grain, "deadline"));

        var row = await Table.ReadRow(grain, "deadline");

        Assert.NotNull(row);
        Assert.Equal(etag, row.ETag);
        Assert.Equal(new DateTime(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc), row.StartAt.ToUniversalTime());
        Assert.Equal(TimeSpan.FromMinutes(5), row.Period);
        Assert.Equal(grain, row.GrainId);
    }

    [Fact]
    public async Task UpsertOfAnExistingReminderReplacesItAndChangesItsVersion()
    {
        var grain = NewGrain();
        var first = await Table.UpsertRow(Entry(grain, "deadline", minutes: 5));
        var second = await Table.UpsertRow(Entry(grain, "deadline", minutes: 10));

        Assert.NotEqual(first, second);
        var rows = await Table.ReadRows(grain);
        var row = Assert.Single(rows.Reminders);
        Assert.Equal(TimeSpan.FromMinutes(10), row.Period);
    }

    [Fact]
    public async Task RowsOfAGrainAreReadTogetherAndNoOthers()
    {
        var grain = NewGrain();
        await Table.UpsertRow(Entry(grain, "a"));
        await Table.UpsertRow(Entry(grain, "b"));
        await Table.UpsertRow(Entry(NewGrain(), "a"));

        var rows = await Table.ReadRows(grain);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
    }

    [Fact]
    public async Task RemoveNeedsTheCurrentVersion()
    {
        var grain = NewGrain();
        var old = await Table.UpsertRow(Entry(grain, "deadline"));
        var current = await Table.UpsertRow(Entry(grain, "deadline"));

        Assert.False(await Table.RemoveRow(grain, "deadline", old!));
        Assert.NotNull(await Table.ReadRow(grain, "deadline"));

        Assert.True(await Table.RemoveRow(grain, "deadline", current!));
        Assert.Null(await Table.ReadRow(grain, "deadline"));
        Assert.False(await Table.RemoveRow(grain, "deadline", current!));
    }

    [Fact]
    public async Task RangeReadsCoverTheRingExactlyOnce()
    {
        var grains = Enumerable.Range(0, 40).Select(_ => NewGrain()).ToList();
        foreach (var grain in grains)
        {
            await Table.UpsertRow(Entry(grain, "r"));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).ToList();
        var cut1 = hashes.Order().ElementAt(10);
        var cut2 = hashes.Order().ElementAt(30);

        // (cut1, cut2] does not wrap; (cut2, cut1] wraps past uint.MaxValue.
        var middle = await Table.ReadRows(cut1, cut2);
        var wrapping = await Table.ReadRows(cut2, cut1);

        Assert.Equal(20, middle.Reminders.Count);
        Assert.Equal(20, wrapping.Reminders.Count);
        Assert.All(middle.Reminders, r => Assert.InRange(r.GrainId.GetUniformHashCode(), cut1 + 1, cut2));
        Assert.Equal(
            grains.Select(g => g.ToString()).Order(),
            middle.Reminders.Concat(wrapping.Reminders).Select(r => r.GrainId.ToString()).Order());

        var whole = await Table.ReadRows(cut1, cut1);
        Assert.Equal(40, whole.Reminders.Count);
    }
}
