using Collab.Diagnostics;
using Collab.Sessions;

namespace Collab.Outcome;

/// <summary>
/// A workshop's consolidated outcome: assembles it from the workshop, its sessions, breakout groups, notes and adopted
/// recommendations, and keeps the versions rapporteurs publish. A published version is a frozen
/// <see cref="OutcomeDocument"/>: exporting it again gives the same document. Keyed by workshop id.
/// </summary>
[Alias("collab.IOutcomeGrain")]
public interface IOutcomeGrain : IGrainWithStringKey
{
    /// <summary>The outcome as the workshop stands now. Rapporteurs and facilitators.</summary>
    [Alias("current")]
    Task<OutcomeDocument> GetCurrentAsync(Caller caller);

    /// <summary>Freezes the outcome as it stands now under a name ("Draft for closing plenary", "Final"). Rapporteurs and facilitators.</summary>
    [Alias("publish")]
    Task<OutcomeVersionView> PublishAsync(PublishOutcome command);

    /// <summary>The published versions, oldest first. Every member of the workshop.</summary>
    [Alias("versions")]
    Task<IReadOnlyList<OutcomeVersionView>> GetVersionsAsync(Caller caller);

    /// <summary>A published version, by id or name; <c>outcome.version_not_found</c> when there is none. Every member.</summary>
    [Alias("version")]
    Task<OutcomeDocument> GetVersionAsync(Caller caller, string version);

    [Alias("subscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task SubscribeAsync(IOutcomeObserver observer);

    [Alias("unsubscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task UnsubscribeAsync(IOutcomeObserver observer);
}

/// <summary>
/// One published version's frozen document, written once. Only <see cref="IOutcomeGrain"/> calls it (it checks who
/// may read); kept apart so that publishing a version never rewrites the others. Keyed <c>{workshopId}/{versionId}</c>.
/// </summary>
[Alias("collab.IPublishedOutcomeGrain")]
public interface IPublishedOutcomeGrain : IGrainWithStringKey
{
    /// <summary>Stores the document; a second store of the same version replaces an earlier one that was never indexed.</summary>
    [Alias("store")]
    Task StoreAsync(OutcomeDocument document);

    /// <summary>The stored document, or null.</summary>
    [Alias("get")]
    Task<OutcomeDocument?> GetAsync();
}

/// <summary>Told when a version of a workshop's outcome is published.</summary>
[Alias("collab.IOutcomeObserver")]
public interface IOutcomeObserver : IGrainObserver
{
    [Alias("outcome-published"), Orleans.Concurrency.OneWay]
    Task OutcomePublished(OutcomePublished published);
}

/// <summary>Command: publish the outcome as it stands under <paramref name="Name"/> (1–100 characters, unique in the workshop).</summary>
[GenerateSerializer, Immutable, Alias("collab.PublishOutcome")]
public sealed record PublishOutcome([property: Id(0)] Caller Caller, [property: Id(1)] string Name);

/// <summary>A published version.</summary>
/// <param name="Id">URL-safe, derived from the name: "Draft for closing plenary" → <c>draft-for-closing-plenary</c>.</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeVersionView")]
public sealed record OutcomeVersionView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset PublishedAt,
    [property: Id(3)] string PublishedBy,
    [property: Id(4)] string PublishedById);

[GenerateSerializer, Immutable, Alias("collab.OutcomePublished")]
public sealed record OutcomePublished([property: Id(0)] string WorkshopId, [property: Id(1)] OutcomeVersionView Version);

/// <summary>
/// The outcome of a workshop, ready to render: everything an export shows, nothing it has to look up. User text
/// (recommendations, notes) is Markdown as typed; renderers escape or sanitise it.
/// </summary>
/// <param name="Version">The published version this is; null for the live state.</param>
/// <param name="AsOf">When it was assembled (for a version: when it was published).</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeDocument")]
public sealed record OutcomeDocument(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Venue,
    [property: Id(3)] DateOnly StartsOn,
    [property: Id(4)] DateOnly EndsOn,
    [property: Id(5)] IReadOnlyList<string> Languages,
    [property: Id(6)] IReadOnlyList<string> Organisers,
    [property: Id(7)] IReadOnlyList<string> Funders,
    [property: Id(8)] IReadOnlyList<OutcomeDelegation> Delegations,
    [property: Id(9)] IReadOnlyList<OutcomeSession> Sessions,
    [property: Id(10)] IReadOnlyList<OutcomeTheme> Themes,
    [property: Id(11)] IReadOnlyList<OutcomeAnnex> Annexes,
    [property: Id(12)] OutcomeVersionView? Version,
    [property: Id(13)] DateTimeOffset AsOf);

/// <summary>A delegation or institution that took part.</summary>
/// <param name="Names">Its name in each working language the organisers gave one for (null: <paramref name="Name"/> only).</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeDelegation")]
public sealed record OutcomeDelegation(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Kind,
    [property: Id(3)] IReadOnlyList<LocalizedText>? Names = null);

/// <summary>One session of the agenda and what came of it.</summary>
/// <param name="Groups">Names of its breakout groups, in order (empty for a plenary).</param>
/// <param name="Proposed">Recommendations proposed from its groups.</param>
/// <param name="Adopted">Of those, the ones adopted (directly or through a merge).</param>
/// <param name="Titles">Its title in each working language the organisers gave one for (null: <paramref name="Title"/> only).</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeSession")]
public sealed record OutcomeSession(
    [property: Id(0)] string Id,
    [property: Id(1)] int Day,
    [property: Id(2)] string Title,
    [property: Id(3)] string Kind,
    [property: Id(4)] TimeOnly? StartsAt,
    [property: Id(5)] TimeOnly? EndsAt,
    [property: Id(6)] SessionStatus Status,
    [property: Id(7)] IReadOnlyList<string> Groups,
    [property: Id(8)] int Proposed,
    [property: Id(9)] int Adopted,
    [property: Id(10)] IReadOnlyList<LocalizedText>? Titles = null);

/// <summary>The adopted recommendations of one theme, in order; <paramref name="Theme"/> is empty for those without one.</summary>
/// <param name="Names">The theme's name in each working language, when the organisers named it (the workshop's themes).</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeTheme")]
public sealed record OutcomeTheme(
    [property: Id(0)] string Theme,
    [property: Id(1)] IReadOnlyList<OutcomeRecommendation> Recommendations,
    [property: Id(2)] IReadOnlyList<LocalizedText>? Names = null);

/// <summary>An adopted recommendation.</summary>
/// <param name="Number">1, 2, … across the whole outcome, in the order of the themes.</param>
/// <param name="Texts">The text per working language, the language of record first.</param>
/// <param name="Provenance">Where it came from: the group notes it cites (a merged one: all its sources').</param>
/// <param name="Reservations">Delegations (or people) that supported it with a reservation, and what they reserved.</param>
/// <param name="MergedFrom">Titles of the recommendations merged into it.</param>
/// <param name="Titles">Its title in each working language when it was given in more than its language of record (null: <paramref name="Title"/> only).</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeRecommendation")]
public sealed record OutcomeRecommendation(
    [property: Id(0)] int Number,
    [property: Id(1)] string Id,
    [property: Id(2)] string Title,
    [property: Id(3)] string LanguageOfRecord,
    [property: Id(4)] IReadOnlyList<OutcomeText> Texts,
    [property: Id(5)] IReadOnlyList<OutcomeSource> Provenance,
    [property: Id(6)] IReadOnlyList<OutcomeReservation> Reservations,
    [property: Id(7)] IReadOnlyList<string> MergedFrom,
    [property: Id(8)] string Origin,
    [property: Id(9)] IReadOnlyList<LocalizedText>? Titles = null);

/// <summary>A recommendation's text in one language.</summary>
/// <param name="Stale">A translation behind its text of record (changed since it was last brought in line, or never synced).</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeText")]
public sealed record OutcomeText(
    [property: Id(0)] string Language,
    [property: Id(1)] string Text,
    [property: Id(2)] bool OfRecord,
    [property: Id(3)] bool Stale);

/// <summary>One provenance link: the group (or plenary), the note, and the passage as it reads now.</summary>
/// <param name="Place">The group's name, or empty for plenary.</param>
/// <param name="Session">The title of the session the group belonged to, if any.</param>
/// <param name="Note">The note's title per working language (a plenary note has one title for all).</param>
/// <param name="Passage">The cited text; empty when it has since been deleted from the note.</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeSource")]
public sealed record OutcomeSource(
    [property: Id(0)] string Place,
    [property: Id(1)] string? Session,
    [property: Id(2)] IReadOnlyList<LocalizedText> Note,
    [property: Id(3)] string Passage);

/// <summary>A text in one language.</summary>
[GenerateSerializer, Immutable, Alias("collab.LocalizedText")]
public sealed record LocalizedText([property: Id(0)] string Language, [property: Id(1)] string Text);

[GenerateSerializer, Immutable, Alias("collab.OutcomeReservation")]
public sealed record OutcomeReservation([property: Id(0)] string Voter, [property: Id(1)] string Text);

/// <summary>An annex: one breakout group's notes (or the plenary notes), each note with its title per language.</summary>
/// <param name="Place">The group's name, or empty for the plenary documents.</param>
/// <param name="SessionTitles">The session's title in each working language the organisers gave one for (null: <paramref name="Session"/> only).</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeAnnex")]
public sealed record OutcomeAnnex(
    [property: Id(0)] string Place,
    [property: Id(1)] string? Session,
    [property: Id(2)] IReadOnlyList<OutcomeNote> Notes,
    [property: Id(3)] IReadOnlyList<LocalizedText>? SessionTitles = null);

/// <param name="Section">The template key (<c>best-practices</c>, <c>lessons-learnt</c>, <c>challenges</c>, <c>group-report</c>), or <c>note</c> for a plenary document.</param>
[GenerateSerializer, Immutable, Alias("collab.OutcomeNote")]
public sealed record OutcomeNote(
    [property: Id(0)] string Section,
    [property: Id(1)] IReadOnlyList<LocalizedText> Title,
    [property: Id(2)] string Text);

/// <summary>Picks a text in a language.</summary>
public static class LocalizedTexts
{
    /// <summary>The text in <paramref name="language"/>, else the first one, else empty.</summary>
    public static string In(this IReadOnlyList<LocalizedText> texts, string language) =>
        texts.FirstOrDefault(t => t.Language == language)?.Text ?? (texts.Count > 0 ? texts[0].Text : "");
}

/// <summary>URL- and file-name-safe forms of names: lower case ASCII letters and digits joined by dashes.</summary>
public static class OutcomeSlug
{
    /// <summary>"Version finale révisée" → <c>version-finale-revisee</c>; empty when nothing usable is left.</summary>
    public static string Of(string name, int maxLength = 60)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in name.Normalize(System.Text.NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                // The accent of a decomposed letter: drop it, keep the letter.
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length <= maxLength ? slug : slug[..maxLength].TrimEnd('-');
    }
}
