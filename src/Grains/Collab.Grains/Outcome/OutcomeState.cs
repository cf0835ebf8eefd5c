namespace Collab.Outcome;

/// <summary>Persisted state of <see cref="OutcomeGrain"/>: the published versions, oldest first. Never renumber the ids.</summary>
[GenerateSerializer, Alias("collab.OutcomeState")]
internal sealed class OutcomeState
{
    [Id(0)] public List<OutcomeVersionView> Versions { get; set; } = [];
}

/// <summary>Persisted state of <see cref="PublishedOutcomeGrain"/>. Never renumber the ids.</summary>
[GenerateSerializer, Alias("collab.PublishedOutcomeState")]
internal sealed class PublishedOutcomeState
{
    [Id(0)] public OutcomeDocument? Document { get; set; }
}
