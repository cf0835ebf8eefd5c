namespace Collab.Workshops;

/// <summary>Persisted state of <see cref="WorkshopGrain"/>. Never renumber the ids: stored data depends on them.</summary>
[GenerateSerializer, Alias("collab.WorkshopState")]
internal sealed class WorkshopState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string Title { get; set; } = "";
    [Id(2)] public string? Venue { get; set; }
    [Id(3)] public DateOnly StartsOn { get; set; }
    [Id(4)] public DateOnly EndsOn { get; set; }
    [Id(5)] public List<string> Languages { get; set; } = [];
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
}
