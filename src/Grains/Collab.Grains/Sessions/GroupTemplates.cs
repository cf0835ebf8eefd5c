using Collab.Errors;
using Collab.Workshops;

namespace Collab.Sessions;

/// <summary>
/// The documents every breakout group of a session gets: given when the breakouts open, else the session's own on the
/// agenda (<see cref="AgendaSession.GroupDocuments"/>), else <see cref="Default"/> (the seed's Day-1 notes). One set of
/// rules checks them wherever they are given.
/// </summary>
internal static class GroupTemplates
{
    /// <summary>Most documents one group gets.</summary>
    public const int MaxDocuments = 8;

    /// <summary>Languages one document may be titled (and guided) in.</summary>
    public const int MaxLanguages = 10;

    /// <summary>Longest initial text of one document.</summary>
    public const int MaxText = 10_000;

    /// <summary>Longest guidance (the placeholder of the empty document) in one language.</summary>
    public const int MaxGuidance = 500;

    /// <summary>Best practices, lessons learnt, challenges and a group report: what a group discussing experiences writes.</summary>
    public static IReadOnlyList<SectionTemplate> Default { get; } =
    [
        new("best-practices", new Dictionary<string, string> { ["en"] = "Best practices", ["fr"] = "Bonnes pratiques" }, null),
        new("lessons-learnt", new Dictionary<string, string> { ["en"] = "Lessons learnt", ["fr"] = "Leçons apprises" }, null),
        new("challenges", new Dictionary<string, string> { ["en"] = "Challenges", ["fr"] = "Défis" }, null),
        new(
            "group-report",
            new Dictionary<string, string> { ["en"] = "Group report", ["fr"] = "Rapport du groupe" },
            "Key points / Points clés\n\n\nDiscussion\n\n\nWay forward / Perspectives\n\n"),
    ];

    /// <summary>
    /// The templates a session's groups get: <paramref name="given"/> (checked), else the agenda's, else the default.
    /// </summary>
    public static IReadOnlyList<SectionTemplate> For(IReadOnlyList<SectionTemplate>? given, AgendaSession? session) =>
        given is { Count: > 0 }
            ? Normalize(given, "breakouts.sections_invalid", "sections")!
            : session?.GroupDocuments is { Count: > 0 } own ? own : Default;

    /// <summary>
    /// Checks and cleans templates: at most <see cref="MaxDocuments"/>, each with a distinct key (made a slug; from the
    /// first title when none is given), one title
    /// per language (at most <see cref="MaxLanguages"/>, up to 200 characters), at most <see cref="MaxText"/> characters
    /// of text and guidance of at most <see cref="MaxGuidance"/> characters per language. Null or empty: null.
    /// </summary>
    /// <exception cref="ValidationFailedException"><paramref name="code"/> (ending in <c>_invalid</c>) on <paramref name="field"/>.</exception>
    public static IReadOnlyList<SectionTemplate>? Normalize(IReadOnlyList<SectionTemplate>? given, string code, string field)
    {
        if (given is null || given.Count == 0)
        {
            return null;
        }

        var codePrefix = code[..^"_invalid".Length];
        if (given.Count > MaxDocuments)
        {
            throw new ValidationFailedException(code, $"A group has at most {MaxDocuments} documents.", field);
        }

        var sections = new List<SectionTemplate>();
        foreach (var section in given)
        {
            var titles = PerLanguage(section?.Titles, 200, codePrefix, "title");

            // The key says which document it is (`best-practices`); without one, it is made from the first title.
            var key = section?.Key switch
            {
                null or "" => titles is { Count: > 0 } ? WorkshopRules.Slug(titles.Values.First()) : "",
                { Length: > 200 } => "",
                var own => WorkshopRules.Slug(own),
            };
            var guidance = section?.Guidance is null ? null : PerLanguage(section.Guidance, MaxGuidance, codePrefix, "guidance");
            if (section is null || key.Length == 0 || titles is null || titles.Count == 0 || (section.Guidance is not null && guidance is null)
                || (section.Text?.Length ?? 0) > MaxText || sections.Any(s => s.Key == key))
            {
                throw new ValidationFailedException(
                    code,
                    $"Each document of a group needs a distinct key, one title (up to 200 characters) for each of at most {MaxLanguages} languages, at most {MaxText:N0} characters of text and at most {MaxGuidance} characters of guidance per language.",
                    field);
            }

            sections.Add(new SectionTemplate(key, titles, section.Text, guidance is { Count: > 0 } ? guidance : null));
        }

        return sections;
    }

    /// <summary>One clean text per language, a language said once (whatever its case); null when one is not acceptable.</summary>
    private static Dictionary<string, string>? PerLanguage(IReadOnlyDictionary<string, string>? given, int maxLength, string codePrefix, string what)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (language, text) in (given ?? new Dictionary<string, string>()).Take(MaxLanguages + 1))
        {
            var clean = text is { Length: > 2_000 } ? null : WorkshopRules.CleanText(text, what, codePrefix);
            if (clean is null || clean.Length > maxLength || language is not { Length: > 0 and <= 20 }
                || texts.Count == MaxLanguages || !texts.TryAdd(language.Trim().ToLowerInvariant(), clean))
            {
                return null;
            }
        }

        return texts;
    }
}
