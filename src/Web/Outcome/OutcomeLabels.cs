using System.Globalization;
using Collab.Outcome;
using Collab.Sessions;

namespace Collab.Web.Outcome;

/// <summary>
/// The words an export adds around the participants' text, in English or French (other languages get English).
/// One instance per language; the bilingual export uses both side by side.
/// </summary>
public sealed class OutcomeLabels
{
    private static readonly OutcomeLabels English = new()
    {
        Language = "en",
        LanguageName = "English",
        Culture = CultureInfo.GetCultureInfo("en-GB"),
        OutcomeDocument = "Outcome document",
        Venue = "Venue",
        Dates = "Dates",
        Organisers = "Organised by",
        Funders = "With funding from",
        Participants = "Participating delegations and institutions",
        Sessions = "Sessions",
        Recommendations = "Recommendations",
        NoRecommendations = "No recommendation has been adopted yet.",
        GeneralTheme = "General",
        Sources = "Sources",
        Reservations = "Reservations",
        MergedFrom = "Consolidates",
        Annexes = "Annexes",
        Plenary = "Plenary",
        PassageDeleted = "passage since removed from the note",
        StaleTranslation = "Translation out of date: the text of record has changed since it was last translated.",
        StaleShort = "translation out of date",
        LiveState = "Working state, not a published version",
        Version = "Version",
        PublishedOn = "published on",
        AsOf = "as of",
        Day = "Day",
        Empty = "(empty)",
    };

    private static readonly OutcomeLabels French = new()
    {
        Language = "fr",
        LanguageName = "Français",
        Culture = CultureInfo.GetCultureInfo("fr-FR"),
        OutcomeDocument = "Document final",
        Venue = "Lieu",
        Dates = "Dates",
        Organisers = "Organisé par",
        Funders = "Avec le financement de",
        Participants = "Délégations et institutions participantes",
        Sessions = "Sessions",
        Recommendations = "Recommandations",
        NoRecommendations = "Aucune recommandation n'a encore été adoptée.",
        GeneralTheme = "Général",
        Sources = "Sources",
        Reservations = "Réserves",
        MergedFrom = "Regroupe",
        Annexes = "Annexes",
        Plenary = "Plénière",
        PassageDeleted = "passage retiré de la note depuis",
        StaleTranslation = "Traduction à mettre à jour\u00A0: le texte de référence a changé depuis sa dernière traduction.",
        StaleShort = "traduction à mettre à jour",
        LiveState = "État de travail, pas une version publiée",
        Version = "Version",
        PublishedOn = "publiée le",
        AsOf = "au",
        Day = "Jour",
        Empty = "(vide)",
    };

    private OutcomeLabels()
    {
    }

    public required string Language { get; init; }

    public required string LanguageName { get; init; }

    public required CultureInfo Culture { get; init; }

    public required string OutcomeDocument { get; init; }

    public required string Venue { get; init; }

    public required string Dates { get; init; }

    public required string Organisers { get; init; }

    public required string Funders { get; init; }

    public required string Participants { get; init; }

    public required string Sessions { get; init; }

    public required string Recommendations { get; init; }

    public required string NoRecommendations { get; init; }

    public required string GeneralTheme { get; init; }

    public required string Sources { get; init; }

    public required string Reservations { get; init; }

    public required string MergedFrom { get; init; }

    public required string Annexes { get; init; }

    public required string Plenary { get; init; }

    public required string PassageDeleted { get; init; }

    public required string StaleTranslation { get; init; }

    public required string StaleShort { get; init; }

    public required string LiveState { get; init; }

    public required string Version { get; init; }

    public required string PublishedOn { get; init; }

    public required string AsOf { get; init; }

    public required string Day { get; init; }

    public required string Empty { get; init; }

    /// <summary>The colon after a label: French puts a (no-break) space before it.</summary>
    public string Colon => Language == "fr" ? "\u00A0:" : ":";

    /// <summary>The labels for a language tag (<c>fr</c>, <c>fr-BE</c> → French; anything else → English).</summary>
    public static OutcomeLabels For(string language) =>
        language.Equals("fr", StringComparison.OrdinalIgnoreCase) || language.StartsWith("fr-", StringComparison.OrdinalIgnoreCase) ? French : English;

    /// <summary>"6–7 December 2023" / "6–7 décembre 2023"; spans of months or years are written out on both sides.</summary>
    public string DateRange(DateOnly from, DateOnly to)
    {
        if (from == to)
        {
            return Date(from);
        }

        if (from.Year == to.Year && from.Month == to.Month)
        {
            return from.Day.ToString(Culture) + "–" + Date(to);
        }

        return Date(from) + " – " + Date(to);
    }

    public string Date(DateOnly date) => date.ToString("d MMMM yyyy", Culture);

    /// <summary>A time of day as people at the workshop write it (09:00).</summary>
    public string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The name a language tag has in these labels' language.</summary>
    public string NameOf(string language) => (Language, language) switch
    {
        ("fr", "en") => "Anglais",
        ("fr", "fr") => "Français",
        (_, "en") => "English",
        (_, "fr") => "French",
        _ => language,
    };

    /// <summary>A short line about a session: its status, groups and what came of it.</summary>
    public string SessionSummary(OutcomeSession session)
    {
        var parts = new List<string>();
        var english = Language == "en";
        parts.Add(session.Status switch
        {
            SessionStatus.Scheduled => english ? "Not held in Collab." : "Non tenue dans Collab.",
            SessionStatus.Running or SessionStatus.Paused => english ? "In progress." : "En cours.",
            _ => english ? "Held." : "Tenue.",
        });
        if (session.Groups.Count > 0)
        {
            parts.Add((english ? $"{session.Groups.Count} breakout group{(session.Groups.Count == 1 ? "" : "s")}: " : $"{session.Groups.Count} groupe{(session.Groups.Count == 1 ? "" : "s")} de travail : ")
                + string.Join(", ", session.Groups) + ".");
        }

        if (session.Proposed > 0)
        {
            parts.Add(english
                ? $"{session.Proposed} recommendation{(session.Proposed == 1 ? "" : "s")} proposed, {session.Adopted} adopted."
                : $"{session.Proposed} recommandation{(session.Proposed == 1 ? "" : "s")} proposée{(session.Proposed == 1 ? "" : "s")}, {session.Adopted} adoptée{(session.Adopted == 1 ? "" : "s")}.");
        }

        return string.Join(" ", parts);
    }

    /// <summary>The heading of an annex: the group's name with its session, or the plenary.</summary>
    public string AnnexTitle(OutcomeAnnex annex) =>
        annex.Place.Length == 0 ? Plenary
        : (annex.SessionTitles is { Count: > 0 } titles ? titles.In(Language) : annex.Session) is { Length: > 0 } session ? $"{annex.Place} ({session})"
        : annex.Place;

    /// <summary>The line under the title saying which version this is.</summary>
    public string VersionLine(OutcomeDocument outcome) => outcome.Version is { } version
        ? $"{Version}{Colon} {version.Name}, {PublishedOn} {Date(DateOnly.FromDateTime(version.PublishedAt.UtcDateTime))}"
        : $"{LiveState}, {AsOf} {Date(DateOnly.FromDateTime(outcome.AsOf.UtcDateTime))} {Time(TimeOnly.FromDateTime(outcome.AsOf.UtcDateTime))} UTC";

    public string Theme(OutcomeTheme theme) => theme.Theme.Length == 0
        ? GeneralTheme
        : theme.Names?.FirstOrDefault(n => n.Language == Language)?.Text ?? theme.Theme;

    /// <summary>
    /// Said above a recommendation shown in its language of record because it has no text in the export's language:
    /// "No French text yet: shown in English, its language of record."
    /// </summary>
    public string NotTranslated(string wanted, string shown) => Language == "fr"
        ? $"Pas encore de texte en {NameOf(wanted).ToLower(Culture)}{Colon} texte présenté en {NameOf(shown).ToLower(Culture)}, sa langue de référence."
        : $"No {NameOf(wanted)} text yet: shown in {NameOf(shown)}, its language of record.";
}
