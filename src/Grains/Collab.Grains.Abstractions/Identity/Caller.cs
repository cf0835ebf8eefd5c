namespace Collab;

/// <summary>What a person may do in a workshop. Fixed by the join code they used; carried in their token.</summary>
[GenerateSerializer, Alias("collab.Role")]
public enum Role
{
    /// <summary>Reads everything in the workshop; edits nothing.</summary>
    Observer = 0,

    /// <summary>Edits the plenary's documents and their own group's, as the session's phase allows.</summary>
    Participant = 1,

    /// <summary>Edits every document of the workshop (but while endorsement is open); consolidates and exports the outcome.</summary>
    Rapporteur = 2,

    /// <summary>Runs sessions and breakouts, manages the roster and join codes, edits everything whatever the phase.</summary>
    Facilitator = 3,
}

/// <summary>
/// Who is acting, as the edge authenticated them from a signed token: every command to a grain carries it and the
/// grain decides what it allows. Grains trust it because only the edge creates it.
/// </summary>
/// <param name="ParticipantId">Stable within the workshop, across devices and reconnects.</param>
/// <param name="DisplayName">As the participant gave it when joining.</param>
/// <param name="WorkshopId">The one workshop this caller belongs to; nothing of another workshop is visible to them.</param>
/// <param name="Role">From the join code.</param>
/// <param name="Delegation">The delegation id they joined with, if any (endorsements are cast per delegation).</param>
[GenerateSerializer, Immutable, Alias("collab.Caller")]
public sealed record Caller(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string WorkshopId,
    [property: Id(3)] Role Role,
    [property: Id(4)] string? Delegation = null)
{
    /// <summary>Facilitators and rapporteurs: they create documents and edit every document of their workshop (phases permitting, docs/recommendations.md).</summary>
    public bool EditsEverywhere => Role is Role.Facilitator or Role.Rapporteur;
}
