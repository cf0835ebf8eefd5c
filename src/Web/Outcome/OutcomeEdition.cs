using Collab.Errors;
using Collab.Outcome;

namespace Collab.Web.Outcome;

/// <summary>
/// Which languages an export is in: one working language, or two side by side (bilingual). Decides, the same way
/// for every format, which text of a recommendation each column shows and what is marked stale.
/// </summary>
public sealed class OutcomeEdition
{
    private OutcomeEdition(IReadOnlyList<string> languages)
    {
        Languages = languages;
        Labels = [.. languages.Select(OutcomeLabels.For)];
    }

    /// <summary>One language, or two for the bilingual edition (the first is the primary one).</summary>
    public IReadOnlyList<string> Languages { get; }

    public IReadOnlyList<OutcomeLabels> Labels { get; }

    public bool Bilingual => Languages.Count > 1;

    /// <summary>The labels of the primary language.</summary>
    public OutcomeLabels Primary => Labels[0];

    /// <summary>
    /// The edition a <c>lang</c> parameter asks for: a working language (<c>en</c>, <c>fr</c>), <c>bilingual</c> (the
    /// first two working languages), or nothing (the language of record).
    /// </summary>
    public static OutcomeEdition For(OutcomeDocument outcome, string? lang)
    {
        var wanted = (lang ?? "").Trim().ToLowerInvariant();
        if (wanted.Length == 0)
        {
            return new([outcome.Languages[0]]);
        }

        if (wanted == "bilingual")
        {
            if (outcome.Languages.Count < 2)
            {
                throw new ValidationFailedException("outcome.bilingual_needs_two_languages", "This workshop has one working language; there is no bilingual edition.", "lang");
            }

            return new([outcome.Languages[0], outcome.Languages[1]]);
        }

        var language = outcome.Languages.FirstOrDefault(l => string.Equals(l, wanted, StringComparison.OrdinalIgnoreCase))
            ?? throw new ValidationFailedException(
                "outcome.language_invalid",
                $"'{lang}' is not a working language of this workshop; use {string.Join(", ", outcome.Languages)} or bilingual.",
                "lang");
        return new([language]);
    }

    /// <summary>The edition in these languages (one, or two different ones), as the renderers are given them.</summary>
    public static OutcomeEdition Of(IReadOnlyList<string> languages) => new(languages);

    /// <summary>The colon after a label, as the primary language writes it.</summary>
    public string Colon => Primary.Colon;

    /// <summary>The file-name part for the language: <c>en</c>, <c>fr</c> or <c>en-fr</c>.</summary>
    public string FileTag => string.Join("-", Languages);

    /// <summary>A label in every language of the edition: "Recommendations / Recommandations".</summary>
    public string Label(Func<OutcomeLabels, string> pick) => string.Join(" / ", Labels.Select(pick).Distinct(StringComparer.Ordinal));

    /// <summary>
    /// A name the organisers may have given in every working language (a delegation, a session): each of the edition's
    /// languages' forms once, or <paramref name="name"/> when they gave only that one.
    /// </summary>
    public string Name(string name, IReadOnlyList<LocalizedText>? forms) => forms is { Count: > 0 } ? Title(forms) : name;

    /// <summary>A localized title in every language of the edition, each once.</summary>
    public string Title(IReadOnlyList<LocalizedText> title) => string.Join(" / ", Languages.Select(title.In).Distinct(StringComparer.Ordinal));

    /// <summary>
    /// What a recommendation says in <paramref name="language"/>: its text there, or (when there is none yet) the text
    /// of record, marked as such; and whether the text shown is a translation behind its text of record.
    /// </summary>
    public static RecommendationText TextIn(OutcomeRecommendation recommendation, string language)
    {
        var text = recommendation.Texts.FirstOrDefault(t => t.Language == language);
        if (text is not null && text.Text.Trim().Length > 0)
        {
            return new RecommendationText(text.Language, text.Text.Trim(), text.Stale, Fallback: false);
        }

        var record = recommendation.Texts.FirstOrDefault(t => t.OfRecord) ?? recommendation.Texts[0];
        return new RecommendationText(record.Language, record.Text.Trim(), Stale: false, Fallback: record.Language != language);
    }
}

/// <summary>The text a recommendation shows in one column of an export.</summary>
/// <param name="Language">The language the text is in.</param>
/// <param name="Stale">A translation behind its text of record.</param>
/// <param name="Fallback">No text in the wanted language yet: this is the text of record.</param>
public sealed record RecommendationText(string Language, string Text, bool Stale, bool Fallback);
