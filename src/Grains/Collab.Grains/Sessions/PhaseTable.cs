using Collab.Documents;
using Collab.Errors;
using Collab.Recommendations;
using Collab.Workshops;

namespace Collab.Sessions;

/// <summary>
/// The one table of what each role may do in each phase (docs/recommendations.md, "Phases"), and the rules derived from
/// it for every kind of document and every command that a phase opens or closes. Every grain that decides access asks
/// here: the breakout group for its notes, the workshop for its plenary documents, the recommendation for its texts and
/// for comments, suggestions and endorsements, the board for proposals.
/// <list type="bullet">
/// <item>Facilitators may always do everything (a locked text, or a text its status locks, excepted).</item>
/// <item>Rapporteurs edit everything, except while endorsement is open (the <c>adopt</c> row): then nothing but stale
/// translations of adopted recommendations, which they may fix in any phase.</item>
/// <item>Participants: as the row in force says; commands too, for rapporteurs as well.</item>
/// <item>Observers read (the document applies that itself).</item>
/// </list>
/// Which row is in force: a group's notes follow their own session; plenary documents and recommendations the workshop's
/// live session; when none is live, <see cref="Closed"/>; before any session started, <c>share</c>.
/// </summary>
internal static class PhaseTable
{
    private const AccessMode Edit = AccessMode.Edit;
    private const AccessMode Suggest = AccessMode.Suggest;
    private const AccessMode Read = AccessMode.Read;

    /// <summary>Group members edit their notes; everyone drafts and proposes.</summary>
    public static readonly PhaseRule Share = new(Edit, Edit, true, Edit, true, true, false);

    public static readonly PhaseRule Draft = new(Edit, Edit, true, Edit, true, true, false);

    /// <summary>Notes are read; recommendations are commented and changed by suggestion only.</summary>
    public static readonly PhaseRule Review = new(Read, Read, false, Suggest, true, true, false);

    /// <summary>Texts are frozen; endorsement is open.</summary>
    public static readonly PhaseRule Adopt = new(Read, Read, false, Read, false, false, true);

    /// <summary>The session ended, or none is live: participants read.</summary>
    public static readonly PhaseRule Closed = new(Read, Read, false, Read, false, false, false);

    /// <summary>Before any session started: as in <c>share</c>.</summary>
    public static ActivePhase Preparation { get; } = new(PhaseStage.Preparation, null, null, Share, 0);

    /// <summary>The default row of a phase; a phase without one behaves as <c>review</c>.</summary>
    public static PhaseRule DefaultRow(string phase) => phase switch
    {
        "share" => Share,
        "draft" => Draft,
        "review" => Review,
        "adopt" => Adopt,
        _ => Review,
    };

    /// <summary>The row in force for <paramref name="phase"/> of an agenda session: its own, else the default one.</summary>
    public static PhaseRule RowOf(AgendaSession? session, string phase) =>
        session?.PhaseRules?.GetValueOrDefault(phase) is { } own ? Complete(own, DefaultRow(phase)) : DefaultRow(phase);

    /// <summary>Every phase of a session with the row in force for it: what <c>GET /api/workshops/{id}</c> shows.</summary>
    public static IReadOnlyDictionary<string, PhaseRule> Table(AgendaSession session) =>
        session.Phases.ToDictionary(p => p, p => RowOf(session, p), StringComparer.Ordinal);

    /// <summary>
    /// An agenda entry's <c>phaseRules</c> checked against its (normalized) phases: at most one row per phase of the
    /// session, notes and plenary edit or read, recommendations edit, suggest or read. Answers the table for every phase.
    /// </summary>
    public static Dictionary<string, PhaseRule> Normalize(IReadOnlyList<string> phases, IReadOnlyDictionary<string, PhaseRule>? given, string sessionTitle)
    {
        if (given is { Count: var count } && count > phases.Count)
        {
            throw Invalid($"Session '{WorkshopRules.Shorten(sessionTitle)}' has {phases.Count} phases; give at most one rule per phase.");
        }

        var own = new Dictionary<string, PhaseRule>(StringComparer.Ordinal);
        foreach (var (key, rule) in given ?? new Dictionary<string, PhaseRule>())
        {
            var phase = key is { Length: <= 40 * 4 } ? key.Trim().ToLowerInvariant() : "";
            if (!phases.Contains(phase, StringComparer.Ordinal))
            {
                throw Invalid($"'{WorkshopRules.Shorten(key ?? "")}' is not a phase of session '{WorkshopRules.Shorten(sessionTitle)}' ({string.Join(", ", phases)}).");
            }

            if (rule is null || !own.TryAdd(phase, Complete(rule, DefaultRow(phase))))
            {
                throw Invalid($"Give one rule for phase '{phase}' of session '{WorkshopRules.Shorten(sessionTitle)}'.");
            }

            var row = own[phase];
            if (row.Notes is not (Edit or Read) || row.Plenary is not (Edit or Read) || row.Recommendations is not (Edit or Suggest or Read))
            {
                throw Invalid($"In phase '{phase}', notes and plenary documents are 'edit' or 'read'; recommendations 'edit', 'suggest' or 'read'.");
            }
        }

        return phases.ToDictionary(p => p, p => own.GetValueOrDefault(p) ?? DefaultRow(p), StringComparer.Ordinal);
    }

    // ---------------------------------------------------------------------------------------------- documents

    /// <summary>A breakout group's notes (its editors, the members, are kept by the document).</summary>
    public static AccessPolicy GroupNotes(ActivePhase active) => Notes(active, Row(active).Notes!.Value);

    /// <summary>A plenary document of the workshop.</summary>
    public static AccessPolicy PlenaryNotes(ActivePhase active) => Notes(active, Row(active).Plenary!.Value);

    /// <summary>
    /// One language's text of a recommendation. <paramref name="translationToFix"/>: a translation of an adopted
    /// recommendation that is stale or was never marked in sync, which rapporteurs and facilitators may still fix.
    /// </summary>
    public static AccessPolicy RecommendationText(ActivePhase active, RecommendationStatus status, bool translationToFix)
    {
        if (IsFinal(status))
        {
            var locked = new DocumentAccess(Read, AccessReasons.Status);
            var fixer = status == RecommendationStatus.Adopted && translationToFix ? DocumentAccess.Edit : locked;
            return new AccessPolicy(fixer, fixer, locked);
        }

        var row = Row(active);
        var allowed = row.Recommendations!.Value;
        var participant = status == RecommendationStatus.InReview && allowed > Suggest
            ? new DocumentAccess(Suggest, AccessReasons.Status)
            : Restricted(active, allowed);
        return new AccessPolicy(DocumentAccess.Edit, Rapporteur(active), participant);
    }

    private static AccessPolicy Notes(ActivePhase active, AccessMode participants) =>
        new(DocumentAccess.Edit, Rapporteur(active), Restricted(active, participants));

    /// <summary>While endorsement is open the texts being endorsed hold still: rapporteurs read too.</summary>
    private static DocumentAccess Rapporteur(ActivePhase active) =>
        Row(active).Endorse == true ? Restricted(active, Read) : DocumentAccess.Edit;

    /// <summary><paramref name="mode"/> with the reason the active phase gives for it.</summary>
    private static DocumentAccess Restricted(ActivePhase active, AccessMode mode) => mode == Edit
        ? DocumentAccess.Edit
        : active.Stage == PhaseStage.Ended
            ? new DocumentAccess(mode, AccessReasons.SessionEnded)
            : new DocumentAccess(mode, AccessReasons.Phase, active.Phase ?? "share");

    /// <summary>The row of <paramref name="active"/>, complete whatever was stored.</summary>
    private static PhaseRule Row(ActivePhase active) => Complete(active.Rule, active.Stage == PhaseStage.Ended ? Closed : Review);

    // ----------------------------------------------------------------------------------------------- commands

    /// <summary>Commands a phase opens or closes.</summary>
    public enum Command
    {
        Propose,
        Comment,
        Suggest,
        Endorse,
    }

    /// <summary>
    /// Refuses <paramref name="command"/> when the active phase closes it for the caller's role (<c>phase.*_closed</c>,
    /// 403, naming the phase). Facilitators may always. Role rules (observers) are the caller's to check first.
    /// </summary>
    public static void EnsureAllowed(ActivePhase active, Caller caller, Command command)
    {
        if (caller.Role == Role.Facilitator)
        {
            return;
        }

        var row = Row(active);
        var (open, code, what) = command switch
        {
            Command.Propose => (row.Propose, "phase.propose_closed", "Proposing recommendations"),
            Command.Comment => (row.Comment, "phase.comment_closed", "Commenting"),
            Command.Suggest => (row.Suggest, "phase.suggest_closed", "Suggesting changes"),
            _ => (row.Endorse, "phase.endorse_closed", "Endorsing"),
        };
        if (open == true)
        {
            return;
        }

        var when = active.Stage switch
        {
            PhaseStage.Live => $"in the '{active.Phase}' phase",
            PhaseStage.Preparation => "before the first session (as in the 'share' phase)",
            _ => "while no session is live",
        };
        throw new ForbiddenException(code, $"{what} is closed {when}.");
    }

    public static bool IsFinal(RecommendationStatus status) =>
        status is RecommendationStatus.Adopted or RecommendationStatus.Rejected or RecommendationStatus.Withdrawn or RecommendationStatus.Merged;

    /// <summary><paramref name="rule"/> with every member it leaves out taken from <paramref name="from"/>.</summary>
    private static PhaseRule Complete(PhaseRule rule, PhaseRule from) => new(
        rule.Notes ?? from.Notes,
        rule.Plenary ?? from.Plenary,
        rule.Propose ?? from.Propose,
        rule.Recommendations ?? from.Recommendations,
        rule.Comment ?? from.Comment,
        rule.Suggest ?? from.Suggest,
        rule.Endorse ?? from.Endorse);

    private static ValidationFailedException Invalid(string message) => new("session.phase_rules_invalid", message, "agenda");
}
