using Collab.Documents;
using Collab.Errors;
using Collab.Recommendations;
using Collab.Sessions;
using Collab.Workshops;

namespace Collab.Tests.Sessions;

/// <summary>The phase table itself (<see cref="PhaseTable"/>): rows, per-session rows, and the rules derived for each role.</summary>
public sealed class PhaseTableTests
{
    private static readonly Caller Facilitator = new("f", "F", "w", Role.Facilitator);
    private static readonly Caller Rapporteur = new("r", "R", "w", Role.Rapporteur);
    private static readonly Caller Participant = new("p", "P", "w", Role.Participant, "bj");

    private static ActivePhase Live(string phase, PhaseRule? rule = null) => new(PhaseStage.Live, "s", phase, rule ?? PhaseTable.DefaultRow(phase), 1);

    private static readonly ActivePhase Ended = new(PhaseStage.Ended, "s", null, PhaseTable.Closed, 2);

    [Theory]
    [InlineData("share", "edit edit propose edit comment suggest -endorse")]
    [InlineData("draft", "edit edit propose edit comment suggest -endorse")]
    [InlineData("review", "read read -propose suggest comment suggest -endorse")]
    [InlineData("adopt", "read read -propose read -comment -suggest endorse")]
    [InlineData("brainstorm", "read read -propose suggest comment suggest -endorse")]
    public void TheDefaultRowsAreTheTableOfTheDocsAndAnUnknownPhaseBehavesAsReview(string phase, string row)
    {
        Assert.Equal(row, Describe(PhaseTable.DefaultRow(phase)));
    }

    [Fact]
    public void ASessionsRowReplacesTheDefaultOneMemberByMember()
    {
        var session = Session(["share", "review", "vote"], new Dictionary<string, PhaseRule>
        {
            ["review"] = new(AccessMode.Edit, null, null, null, null, null, null),
            ["vote"] = new(AccessMode.Read, AccessMode.Read, false, AccessMode.Read, true, false, true),
        });

        var table = PhaseTable.Normalize(session.Phases, session.PhaseRules, session.Title);

        Assert.Equal(["share", "review", "vote"], table.Keys);
        Assert.Equal("edit edit propose edit comment suggest -endorse", Describe(table["share"]));
        Assert.Equal("edit read -propose suggest comment suggest -endorse", Describe(table["review"]));
        Assert.Equal("read read -propose read comment -suggest endorse", Describe(table["vote"]));
        Assert.Equal(table["review"], PhaseTable.RowOf(session with { PhaseRules = table }, "review"));
        Assert.Equal(PhaseTable.Review, PhaseTable.RowOf(session with { PhaseRules = table }, "not-a-phase-any-more"));
    }

    [Theory]
    [InlineData("elsewhere", AccessMode.Edit, AccessMode.Edit, AccessMode.Edit)]
    [InlineData("review", AccessMode.Suggest, AccessMode.Edit, AccessMode.Edit)]
    [InlineData("review", AccessMode.Edit, AccessMode.Suggest, AccessMode.Edit)]
    [InlineData("review", AccessMode.Edit, AccessMode.Edit, (AccessMode)7)]
    public void RowsThatCannotApplyAreRefused(string phase, AccessMode notes, AccessMode plenary, AccessMode recommendations)
    {
        var rules = new Dictionary<string, PhaseRule> { [phase] = new(notes, plenary, null, recommendations, null, null, null) };

        var refused = Assert.Throws<ValidationFailedException>(() => PhaseTable.Normalize(["share", "review"], rules, "Breakouts"));

        Assert.Equal("session.phase_rules_invalid", refused.Code);
    }

    [Fact]
    public void NotesFollowTheRowForParticipantsAndRapporteursReadWhileEndorsementIsOpen()
    {
        Assert.Equal("edit | edit | read phase review", Describe(PhaseTable.GroupNotes(Live("review"))));
        Assert.Equal("edit | read phase adopt | read phase adopt", Describe(PhaseTable.GroupNotes(Live("adopt"))));
        Assert.Equal("edit | edit | read session_ended", Describe(PhaseTable.PlenaryNotes(Ended)));
        Assert.Equal("edit | edit | edit", Describe(PhaseTable.PlenaryNotes(PhaseTable.Preparation)));
    }

    [Theory]
    [InlineData("draft", RecommendationStatus.Proposed, false, "edit | edit | edit")]
    [InlineData("review", RecommendationStatus.Draft, false, "edit | edit | suggest phase review")]
    [InlineData("draft", RecommendationStatus.InReview, false, "edit | edit | suggest status")]
    [InlineData("review", RecommendationStatus.InReview, false, "edit | edit | suggest phase review")]
    [InlineData("adopt", RecommendationStatus.InReview, false, "edit | read phase adopt | read phase adopt")]
    [InlineData("draft", RecommendationStatus.Adopted, false, "read status | read status | read status")]
    [InlineData("adopt", RecommendationStatus.Adopted, true, "edit | edit | read status")]
    [InlineData("draft", RecommendationStatus.Rejected, true, "read status | read status | read status")]
    [InlineData("draft", RecommendationStatus.Merged, false, "read status | read status | read status")]
    public void ARecommendationsTextFollowsThePhaseAndItsStatusOnTop(string phase, RecommendationStatus status, bool translationToFix, string policy)
    {
        Assert.Equal(policy, Describe(PhaseTable.RecommendationText(Live(phase), status, translationToFix)));
    }

    [Fact]
    public void CommandsTheRowClosesAreRefusedNamingThePhaseButNeverToFacilitators()
    {
        var review = Assert.Throws<ForbiddenException>(() => PhaseTable.EnsureAllowed(Live("review"), Participant, PhaseTable.Command.Propose));
        var ended = Assert.Throws<ForbiddenException>(() => PhaseTable.EnsureAllowed(Ended, Rapporteur, PhaseTable.Command.Comment));
        var preparation = Assert.Throws<ForbiddenException>(() => PhaseTable.EnsureAllowed(PhaseTable.Preparation, Participant, PhaseTable.Command.Endorse));
        var adopt = Assert.Throws<ForbiddenException>(() => PhaseTable.EnsureAllowed(Live("adopt"), Participant, PhaseTable.Command.Suggest));

        Assert.Equal(("phase.propose_closed", true), (review.Code, review.Message.Contains("'review'", StringComparison.Ordinal)));
        Assert.Equal("phase.comment_closed", ended.Code);
        Assert.Equal("phase.endorse_closed", preparation.Code);
        Assert.Equal(("phase.suggest_closed", true), (adopt.Code, adopt.Message.Contains("'adopt'", StringComparison.Ordinal)));
        foreach (var command in Enum.GetValues<PhaseTable.Command>())
        {
            PhaseTable.EnsureAllowed(Ended, Facilitator, command);
        }

        PhaseTable.EnsureAllowed(Live("adopt"), Participant, PhaseTable.Command.Endorse);
    }

    private static AgendaSession Session(IReadOnlyList<string> phases, IReadOnlyDictionary<string, PhaseRule>? rules) =>
        new("s", 1, "Breakouts", "breakouts", null, null, phases, rules);

    private static string Describe(PhaseRule row) => string.Join(' ',
        Mode(row.Notes), Mode(row.Plenary), Flag(row.Propose, "propose"), Mode(row.Recommendations),
        Flag(row.Comment, "comment"), Flag(row.Suggest, "suggest"), Flag(row.Endorse, "endorse"));

    private static string Describe(AccessPolicy policy) => string.Join(" | ", Describe(policy.Facilitator), Describe(policy.Rapporteur), Describe(policy.Participant));

    private static string Describe(DocumentAccess access) =>
        string.Join(' ', new[] { Mode(access.Mode), access.Reason, access.Phase }.Where(p => p is not null));

    private static string Mode(AccessMode? mode) => mode?.ToString().ToLowerInvariant() ?? "?";

    private static string Flag(bool? value, string name) => value == true ? name : "-" + name;
}
