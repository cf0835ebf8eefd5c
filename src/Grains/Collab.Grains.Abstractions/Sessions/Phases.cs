using Collab.Documents;

namespace Collab.Sessions;

/// <summary>
/// One row of the phase table (docs/recommendations.md): what participants may do in a phase. Facilitators may always do
/// everything; rapporteurs edit everything except while endorsement is open; observers only read. In an agenda entry's
/// <c>phaseRules</c> a row replaces the default row of its phase, and a member left out (null) keeps the value of the row
/// it replaces; read back, every member is set.
/// </summary>
/// <param name="Notes">Breakout group notes, for the group's members: edit or read.</param>
/// <param name="Plenary">Plenary documents: edit or read.</param>
/// <param name="Propose">Proposing a recommendation.</param>
/// <param name="Recommendations">A draft or proposed recommendation's text: edit, suggest or read.</param>
/// <param name="Comment">Commenting on a recommendation (and replying).</param>
/// <param name="Suggest">Suggesting changes to a recommendation's text (and deciding on suggestions).</param>
/// <param name="Endorse">Endorsing, with reservations, or objecting.</param>
[GenerateSerializer, Immutable, Alias("collab.PhaseRule")]
public sealed record PhaseRule(
    [property: Id(0)] AccessMode? Notes,
    [property: Id(1)] AccessMode? Plenary,
    [property: Id(2)] bool? Propose,
    [property: Id(3)] AccessMode? Recommendations,
    [property: Id(4)] bool? Comment,
    [property: Id(5)] bool? Suggest,
    [property: Id(6)] bool? Endorse);

/// <summary>Where a workshop (or a session's groups) stands.</summary>
[GenerateSerializer, Alias("collab.PhaseStage")]
public enum PhaseStage
{
    /// <summary>No session has started yet: everything is as in the <c>share</c> phase.</summary>
    Preparation = 0,

    /// <summary>A session is live (running or paused) in <see cref="ActivePhase.Phase"/>.</summary>
    Live = 1,

    /// <summary>The session ended, or no session is live since the last one ended: participants read only.</summary>
    Ended = 2,
}

/// <summary>
/// The row of the phase table in force: for the workshop's plenary documents and recommendations that of its live
/// session (<see cref="Workshops.WorkshopView.ActivePhase"/>), for a breakout group's notes that of its own session.
/// </summary>
/// <param name="SessionId">The live session, or the session that ended.</param>
/// <param name="Phase">The live session's phase.</param>
/// <param name="Rule">The row in force, every member set.</param>
/// <param name="Version">Grows with every change of the workshop's active phase: an older one never replaces a newer one.</param>
[GenerateSerializer, Immutable, Alias("collab.ActivePhase")]
public sealed record ActivePhase(
    [property: Id(0)] PhaseStage Stage,
    [property: Id(1)] string? SessionId,
    [property: Id(2)] string? Phase,
    [property: Id(3)] PhaseRule Rule,
    [property: Id(4)] long Version);
