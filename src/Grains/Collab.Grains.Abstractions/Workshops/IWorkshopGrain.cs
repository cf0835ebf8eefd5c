namespace Collab.Workshops;

/// <summary>
/// A workshop: its metadata and working languages (the roster, join codes and agenda come with the workshop issue).
/// Keyed by the workshop id, a short URL-safe string chosen by the edge at creation.
/// </summary>
[Alias("collab.IWorkshopGrain")]
public interface IWorkshopGrain : IGrainWithStringKey
{
    /// <summary>Creates the workshop. Fails with <c>workshop.already_exists</c> when it exists, or a validation error.</summary>
    [Alias("create")]
    Task<WorkshopView> CreateAsync(CreateWorkshop command);

    /// <summary>The workshop as it is now. Fails with <c>workshop.not_found</c> when it was never created.</summary>
    [Alias("get")]
    Task<WorkshopView> GetAsync();
}

/// <summary>Command: create a workshop.</summary>
/// <param name="Title">1–200 characters.</param>
/// <param name="Venue">Optional, up to 200 characters.</param>
/// <param name="StartsOn">First day.</param>
/// <param name="EndsOn">Last day, not before <paramref name="StartsOn"/>, at most 31 days later.</param>
/// <param name="Languages">Working languages as language tags (e.g. <c>en</c>, <c>fr</c>): 1–4, distinct; the first is the language of record.</param>
[GenerateSerializer, Immutable, Alias("collab.CreateWorkshop")]
public sealed record CreateWorkshop(
    [property: Id(0)] string Title,
    [property: Id(1)] string? Venue,
    [property: Id(2)] DateOnly StartsOn,
    [property: Id(3)] DateOnly EndsOn,
    [property: Id(4)] IReadOnlyList<string> Languages);

/// <summary>Read model of a workshop.</summary>
[GenerateSerializer, Immutable, Alias("collab.WorkshopView")]
public sealed record WorkshopView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Venue,
    [property: Id(3)] DateOnly StartsOn,
    [property: Id(4)] DateOnly EndsOn,
    [property: Id(5)] IReadOnlyList<string> Languages,
    [property: Id(6)] DateTimeOffset CreatedAt);
