using Collab.Outcome;
using Collab.Sessions;

namespace Collab.Tests.Outcome;

/// <summary>
/// A hand-made outcome for the export tests: two themes, three adopted recommendations (one of record in French,
/// one with a stale French translation, one with no French text at all), provenance with and without its passage,
/// reservations, a merge, and annexes whose notes hold lists, emphasis, a link, a <c>javascript:</c> link and a typed
/// <c>&lt;script&gt;</c>.
/// </summary>
public static class SampleOutcome
{
    public const string Title = "Regional Workshop on Transboundary Water Management";

    public const string CooperationTitle = "Cross-border cooperation";
    public const string MonitoringTitle = "Shared monitoring data";
    public const string TrainingTitle = "Training for basin officials";

    /// <summary>The French text of record of recommendation 1, accents and all.</summary>
    public const string CooperationFrench = "Renforcer la coopération transfrontalière entre les autorités de bassin, à l'échelle régionale.";

    public const string CooperationEnglish = "Strengthen cross-border cooperation between basin authorities, at regional level.";

    /// <summary>The passage recommendation 1's first source cites.</summary>
    public const string CitedPassage = "Joint commissions meet twice a year and share their minutes.";

    public const string SafeLink = "https://example.org/water-portal";

    public const string UnsafeLinkText = "open the dashboard";

    /// <summary>What a participant typed into a note and must come out as text.</summary>
    public const string TypedScript = "<script>alert('x')</script>";

    public static readonly DateTimeOffset PublishedAt = new(2026, 11, 27, 16, 30, 0, TimeSpan.Zero);

    /// <summary>The outcome as published under "Final".</summary>
    public static OutcomeDocument Create() => new(
        WorkshopId: "ws-water-2026",
        Title: Title,
        Venue: "Cotonou, Bénin",
        StartsOn: new DateOnly(2026, 11, 25),
        EndsOn: new DateOnly(2026, 11, 27),
        Languages: ["en", "fr"],
        Organisers: ["Niger Basin Authority"],
        Funders: ["Global Water Fund"],
        Delegations:
        [
            new OutcomeDelegation("bj", "Bénin", "delegation"),
            new OutcomeDelegation("gh", "Ghana", "delegation"),
            new OutcomeDelegation("nba", "Niger Basin Authority", "institution"),
        ],
        Sessions:
        [
            new OutcomeSession("s1", 1, "Opening plenary", "plenary", new TimeOnly(9, 0), new TimeOnly(10, 30), SessionStatus.Ended, [], 0, 0),
            new OutcomeSession("s2", 1, "Breakouts: governance", "breakout", new TimeOnly(11, 0), new TimeOnly(12, 30), SessionStatus.Ended, ["Group 1", "Group 2"], 4, 3),
        ],
        Themes:
        [
            new OutcomeTheme("Governance",
            [
                new OutcomeRecommendation(
                    Number: 1,
                    Id: "r1",
                    Title: CooperationTitle,
                    LanguageOfRecord: "fr",
                    Texts:
                    [
                        new OutcomeText("fr", CooperationFrench + "\n\nLes commissions mixtes doivent se réunir **deux fois par an** et publier leurs *procès-verbaux*.", OfRecord: true, Stale: false),
                        new OutcomeText("en", CooperationEnglish + "\n\nJoint commissions should meet **twice a year** and publish their *minutes*.", OfRecord: false, Stale: false),
                    ],
                    Provenance:
                    [
                        new OutcomeSource("Group 1", "Breakouts: governance", [new LocalizedText("en", "Best practices"), new LocalizedText("fr", "Bonnes pratiques")], CitedPassage),
                        new OutcomeSource("Group 2", "Breakouts: governance", [new LocalizedText("en", "Challenges"), new LocalizedText("fr", "Défis")], ""),
                    ],
                    Reservations: [new OutcomeReservation("Ghana", "Subject to approval of the national budget.")],
                    MergedFrom: [],
                    Origin: "s2"),
                new OutcomeRecommendation(
                    Number: 2,
                    Id: "r2",
                    Title: MonitoringTitle,
                    LanguageOfRecord: "en",
                    Texts:
                    [
                        new OutcomeText("en", "Publish monitoring data:\n\n- water levels\n- water quality\n\nthrough a common portal.", OfRecord: true, Stale: false),
                        new OutcomeText("fr", "Publier les données de suivi des niveaux d'eau.", OfRecord: false, Stale: true),
                    ],
                    Provenance: [new OutcomeSource("", null, [new LocalizedText("en", "Closing statement")], "Data should be open by default.")],
                    Reservations: [],
                    MergedFrom: ["Open data portal", "Common indicators"],
                    Origin: "s2"),
            ]),
            new OutcomeTheme("Capacity building",
            [
                new OutcomeRecommendation(
                    Number: 3,
                    Id: "r3",
                    Title: TrainingTitle,
                    LanguageOfRecord: "en",
                    Texts: [new OutcomeText("en", "Train basin officials in data management every year.", OfRecord: true, Stale: false)],
                    Provenance: [new OutcomeSource("Group 2", "Breakouts: governance", [new LocalizedText("en", "Lessons learnt"), new LocalizedText("fr", "Leçons apprises")], "Staff turnover erodes skills.")],
                    Reservations: [],
                    MergedFrom: [],
                    Origin: "s2"),
            ]),
        ],
        Annexes:
        [
            new OutcomeAnnex("Group 1", "Breakouts: governance",
            [
                new OutcomeNote(
                    "best-practices",
                    [new LocalizedText("en", "Best practices"), new LocalizedText("fr", "Bonnes pratiques")],
                    "Joint commissions work when:\n\n"
                    + "- they meet *regularly*\n"
                    + "- their minutes are **public**\n\n"
                    + "1. agree on data\n"
                    + "2. share it\n\n"
                    + $"See [the portal]({SafeLink}) but do not [{UnsafeLinkText}](javascript:alert(1)).\n\n"
                    + TypedScript),
            ]),
            new OutcomeAnnex("", null,
            [
                new OutcomeNote("note", [new LocalizedText("en", "Closing statement")], "Data should be open by default."),
            ]),
        ],
        Version: new OutcomeVersionView("final", "Final", PublishedAt, "Awa Sow", "u1"),
        AsOf: PublishedAt);

    /// <summary>The same outcome with one annex holding one note of <paramref name="markdown"/> (titled "Notes" / "Notes").</summary>
    public static OutcomeDocument WithNote(string markdown) => Create() with
    {
        Annexes = [new OutcomeAnnex("Group 1", null, [new OutcomeNote("group-report", [new LocalizedText("en", "Notes")], markdown)])],
    };

    /// <summary>The same outcome before anything was adopted.</summary>
    public static OutcomeDocument WithoutRecommendations() => Create() with { Themes = [] };
}
