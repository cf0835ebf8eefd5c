namespace Collab.Sessions;

/// <summary>
/// One breakout group of a session: its members and its documents (made from the session's template). It alone
/// decides who edits its documents: members (as the session's phase allows), plus facilitators and rapporteurs. Keyed
/// <c>{workshopId}/{sessionId}/{groupId}</c>; driven by its <see cref="ISessionGrain"/>, which owns assignments.
/// </summary>
[Alias("collab.IBreakoutGroupGrain")]
public interface IBreakoutGroupGrain : IGrainWithStringKey
{
    /// <summary>Creates the group's documents if they do not exist yet (idempotent) and records its name.</summary>
    [Alias("setup")]
    Task<GroupView> SetupAsync(SetupGroup command);

    /// <summary>Replaces the members; the documents' editors follow.</summary>
    [Alias("set-members")]
    Task<GroupView> SetMembersAsync(IReadOnlyList<string> members);

    /// <summary>Applies the session's phase (or its end) to what members may do with the group's documents.</summary>
    [Alias("phase-changed")]
    Task PhaseChangedAsync(ActivePhase phase);

    /// <summary>Locks (freeze) or unlocks every document of the group on behalf of a facilitator.</summary>
    [Alias("freeze")]
    Task FreezeAsync(Caller caller, bool frozen);

    [Alias("get")]
    Task<GroupView> GetAsync();
}

[GenerateSerializer, Immutable, Alias("collab.SetupGroup")]
public sealed record SetupGroup(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<SectionTemplate> Sections,
    [property: Id(3)] IReadOnlyList<string> Members,
    [property: Id(4)] ActivePhase? Phase = null);
