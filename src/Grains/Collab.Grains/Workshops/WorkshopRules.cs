using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Collab.Errors;

namespace Collab.Workshops;

/// <summary>The bounds every workshop command is checked against before anything is written.</summary>
internal static partial class WorkshopRules
{
    public const int MaxVenueLength = 200;
    public const int MaxLanguages = 4;
    public const int MaxDays = 31;
    public const int MaxListItems = 20;
    public const int MaxPhases = 10;
    public const int MaxEmailLength = 254;

    /// <summary>A text this long is refused as too long before it is cleaned, whatever its limit (no name or title comes near).</summary>
    public const int MaxRawTextLength = 10_000;
    public static readonly IReadOnlyList<string> DefaultPhases = ["share", "draft", "review", "adopt"];

    /// <summary>The metadata shared by create and update, normalized.</summary>
    public sealed record Metadata(
        string Title,
        string? Venue,
        DateOnly StartsOn,
        DateOnly EndsOn,
        List<string> Languages,
        List<string> Organisers,
        List<string> Funders,
        List<Delegation> Delegations,
        List<AgendaSession> Agenda,
        List<ThemeName> Themes);

    public static Metadata Normalize(
        string? title,
        string? venue,
        DateOnly startsOn,
        DateOnly endsOn,
        IReadOnlyList<string>? languages,
        IReadOnlyList<string>? organisers,
        IReadOnlyList<string>? funders,
        IReadOnlyList<Delegation>? delegations,
        IReadOnlyList<AgendaSession>? agenda,
        WorkshopOptions options,
        IReadOnlyList<ThemeName>? themes = null)
    {
        var cleanTitle = Text(title, "title", "workshop.title", options.MaxTitleLength, required: true)!;
        var cleanVenue = Text(venue, "venue", "workshop.venue", MaxVenueLength, required: false);
        if (endsOn < startsOn)
        {
            throw new ValidationFailedException(
                "workshop.dates_reversed", $"The workshop ends ({endsOn:yyyy-MM-dd}) before it starts ({startsOn:yyyy-MM-dd}).", "endsOn");
        }

        if (endsOn.DayNumber - startsOn.DayNumber >= MaxDays)
        {
            throw new ValidationFailedException("workshop.too_long", $"A workshop lasts at most {MaxDays} days.", "endsOn");
        }

        var cleanLanguages = Languages(languages);
        var days = endsOn.DayNumber - startsOn.DayNumber + 1;
        return new Metadata(
            cleanTitle,
            cleanVenue,
            startsOn,
            endsOn,
            cleanLanguages,
            Names(organisers, "organisers", options),
            Names(funders, "funders", options),
            Delegations(delegations, cleanLanguages, options),
            Agenda(agenda, days, options, cleanLanguages),
            Themes(themes, cleanLanguages));
    }

    /// <summary>A display name, cleaned as <see cref="CleanText"/> says, 1–max characters.</summary>
    public static string PersonName(string? name, string field, WorkshopOptions options) =>
        Text(name, field, "participant.name", options.MaxNameLength, required: true)!;

    /// <summary>
    /// What two names are compared by, so that names that look the same are one person: the cleaned text (no invisible
    /// characters, one kind of space), compatibility forms folded (full-width letters, ligatures, styled letters), accents
    /// and other combining marks dropped, Cyrillic and Greek letters that look like Latin ones read as those, and case
    /// ignored. "Adjoa Mensah", "adjoa  mensah", "Adjoa\u200b Mensah" and "Аdjoa Mensah" (Cyrillic А) are one key.
    /// </summary>
    public static string NameKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var folded = Clean(name, strict: false).Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(folded.Length);
        foreach (var rune in folded.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark || IsIgnorable(rune))
            {
                continue;
            }

            var latin = LatinLookAlikes.TryGetValue(rune.Value, out var lookAlike) ? new Rune(lookAlike) : rune;
            Append(builder, Rune.ToUpperInvariant(latin));
        }

        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Text a person typed as a name, a title or a label, as it is stored and shown: Unicode NFC; every space, tab and
    /// line break one space, none at the ends; no control characters; and no invisible characters — format characters
    /// (zero-width spaces and joiners, bidirectional embeddings, overrides and isolates, byte order marks, soft hyphens),
    /// and variation selectors — which would let two names that look the same differ, or reorder what is shown around
    /// them; characters drawn as blanks (Hangul fillers, the Braille blank) are spaces. Null when nothing visible is left.
    /// </summary>
    /// <exception cref="ValidationFailedException">
    /// <c>{codePrefix}_invalid</c>: the text holds a replacement character (U+FFFD: it was decoded with the wrong
    /// encoding), half of a surrogate pair, a noncharacter, or more than <see cref="MaxCombiningMarks"/> marks on one letter.
    /// </exception>
    public static string? CleanText(string? value, string field, string codePrefix)
    {
        if (value is null)
        {
            return null;
        }

        try
        {
            var clean = Clean(value, strict: true);
            return clean.Length == 0 ? null : clean;
        }
        catch (FormatException invalid)
        {
            throw new ValidationFailedException($"{codePrefix}_invalid", $"The {field} {invalid.Message}", field);
        }
    }

    /// <summary>Most combining marks one letter may carry (Vietnamese needs two); more only pile up over the text around.</summary>
    public const int MaxCombiningMarks = 4;

    /// <param name="strict">Throw a <see cref="FormatException"/> (with the reason) on what <see cref="CleanText"/> refuses; else drop it.</param>
    private static string Clean(string value, bool strict)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        var marks = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            // A lone surrogate enumerates as U+FFFD too.
            if (rune == Rune.ReplacementChar || IsNoncharacter(rune))
            {
                if (strict)
                {
                    throw new FormatException(rune == Rune.ReplacementChar
                        ? "contains U+FFFD or half of a surrogate pair: text decoded with the wrong encoding. Type it again, or save the file as UTF-8."
                        : $"contains the noncharacter U+{rune.Value:X4}.");
                }

                continue;
            }

            if (IsIgnorable(rune) && !IsBlank(rune))
            {
                continue;
            }

            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune) || IsBlank(rune))
            {
                space = builder.Length > 0;
                marks = 0;
                continue;
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark)
            {
                if (++marks > MaxCombiningMarks && strict)
                {
                    throw new FormatException($"has more than {MaxCombiningMarks} accents or other marks on one letter.");
                }
            }
            else
            {
                marks = 0;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            Append(builder, rune);
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    private static void Append(StringBuilder builder, Rune rune)
    {
        Span<char> utf16 = stackalloc char[2];
        builder.Append(utf16[..rune.EncodeToUtf16(utf16)]);
    }

    /// <summary>
    /// Characters that show nothing: format characters (Cf) and the other default-ignorable code points of Unicode
    /// (combining grapheme joiner, Hangul and half-width fillers, Khmer inherent vowels, Mongolian and other variation
    /// selectors, shorthand format controls, musical formatting, tags).
    /// </summary>
    private static bool IsIgnorable(Rune rune) =>
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
        || rune.Value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F) or 0x3164
            or (>= 0xFE00 and <= 0xFE0F) or 0xFFA0 or (>= 0x1BCA0 and <= 0x1BCA3) or (>= 0x1D173 and <= 0x1D17A)
            or (>= 0xE0000 and <= 0xE0FFF);

    private static bool IsNoncharacter(Rune rune) => (rune.Value & 0xFFFE) == 0xFFFE || rune.Value is >= 0xFDD0 and <= 0xFDEF;

    /// <summary>Characters drawn as an empty space although they are letters or symbols: Hangul fillers and the Braille blank.</summary>
    private static bool IsBlank(Rune rune) => rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800;

    /// <summary>
    /// Cyrillic and Greek letters drawn like Latin ones in common fonts (after Unicode's confusables for these scripts):
    /// in a name key they are the Latin letter, so that "Fac Two" cannot be joined again with a Cyrillic "а".
    /// </summary>
    private static readonly Dictionary<int, int> LatinLookAlikes = new()
    {
        // Cyrillic capitals and small letters.
        ['А'] = 'A', ['В'] = 'B', ['Е'] = 'E', ['К'] = 'K', ['М'] = 'M', ['Н'] = 'H', ['О'] = 'O', ['Р'] = 'P', ['С'] = 'C',
        ['Т'] = 'T', ['У'] = 'Y', ['Х'] = 'X', ['І'] = 'I', ['Ј'] = 'J', ['Ѕ'] = 'S', ['Ү'] = 'Y', ['Һ'] = 'H', ['Ԛ'] = 'Q',
        ['Ԝ'] = 'W', ['Ӏ'] = 'I',
        ['а'] = 'a', ['е'] = 'e', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['у'] = 'y', ['х'] = 'x', ['і'] = 'i', ['ј'] = 'j',
        ['ѕ'] = 's', ['ԁ'] = 'd', ['һ'] = 'h', ['ԛ'] = 'q', ['ԝ'] = 'w', ['ү'] = 'y', ['ӏ'] = 'l', ['ɡ'] = 'g',

        // Greek capitals and small letters.
        ['Α'] = 'A', ['Β'] = 'B', ['Ε'] = 'E', ['Ζ'] = 'Z', ['Η'] = 'H', ['Ι'] = 'I', ['Κ'] = 'K', ['Μ'] = 'M', ['Ν'] = 'N',
        ['Ο'] = 'O', ['Ρ'] = 'P', ['Τ'] = 'T', ['Υ'] = 'Y', ['Χ'] = 'X',
        ['α'] = 'a', ['ο'] = 'o', ['ρ'] = 'p', ['ν'] = 'v', ['ι'] = 'i', ['κ'] = 'k', ['υ'] = 'u', ['χ'] = 'x',
    };

    public static string? Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var trimmed = email.Trim();
        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        if (trimmed.Length > MaxEmailLength || at <= 0 || at == trimmed.Length - 1 || trimmed.IndexOf('@', at + 1) >= 0
            || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD'
                || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format))
        {
            throw new ValidationFailedException("participant.email_invalid", $"'{Shorten(trimmed)}' is not an e-mail address.", "email");
        }

        return trimmed;
    }

    /// <summary>The delegation a participant names, by id or by name; null for none.</summary>
    public static Delegation? FindDelegation(IReadOnlyList<Delegation> delegations, string? idOrName)
    {
        if (string.IsNullOrWhiteSpace(idOrName))
        {
            return null;
        }

        if (idOrName.Length > MaxRawTextLength)
        {
            throw new ValidationFailedException(
                "participant.delegation_unknown", $"'{Shorten(idOrName)}' is not a delegation of this workshop.", "delegation");
        }

        var key = NameKey(idOrName.Trim());
        return delegations.FirstOrDefault(d => string.Equals(d.Id, idOrName.Trim(), StringComparison.OrdinalIgnoreCase) || NameKey(d.Name) == key)
            ?? throw new ValidationFailedException(
                "participant.delegation_unknown",
                $"'{Shorten(idOrName)}' is not a delegation of this workshop; known: {string.Join(", ", delegations.Select(d => d.Name))}.",
                "delegation");
    }

    /// <summary>The participant's language: the one asked for, else their delegation's, else the language of record.</summary>
    public static string Language(string? asked, Delegation? delegation, IReadOnlyList<string> languages)
    {
        if (!string.IsNullOrWhiteSpace(asked))
        {
            var tag = asked.Trim().ToLowerInvariant();
            return languages.Contains(tag)
                ? tag
                : throw new ValidationFailedException(
                    "participant.language_unsupported", $"'{Shorten(asked)}' is not a working language of this workshop ({string.Join(", ", languages)}).", "language");
        }

        return delegation?.Language is { } own && languages.Contains(own) ? own : languages[0];
    }

    public static string Slug(string name, int maxLength = 40)
    {
        var builder = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length > maxLength ? slug[..maxLength].TrimEnd('-') : slug;
    }

    public static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;

    private static string? Text(string? value, string field, string codePrefix, int max, bool required)
    {
        // Far more than any cleaning could bring under the limit: refused before it is worked on.
        if (value is { Length: var raw } && raw > Math.Min(max * 8, MaxRawTextLength))
        {
            throw new ValidationFailedException(
                $"{codePrefix}_too_long", $"The {field} has {raw} characters; at most {max} are allowed.", field);
        }

        var clean = CleanText(value, field, codePrefix) ?? "";
        if (clean.Length == 0)
        {
            return required
                ? throw new ValidationFailedException($"{codePrefix}_required", $"The {field} is required.", field)
                : null;
        }

        if (clean.Length > max)
        {
            throw new ValidationFailedException(
                $"{codePrefix}_too_long", $"The {field} has {clean.Length} characters; at most {max} are allowed.", field);
        }

        return clean;
    }

    private static List<string> Languages(IReadOnlyList<string>? languages)
    {
        var list = (languages ?? []).Take(MaxLanguages + 1).Select(l => l is { Length: <= 20 } ? l.Trim().ToLowerInvariant() : "?").ToList();
        if (list.Count is 0 or > MaxLanguages)
        {
            throw new ValidationFailedException("workshop.languages_count", $"Give between 1 and {MaxLanguages} working languages.", "languages");
        }

        if (list.FirstOrDefault(l => !LanguageTag().IsMatch(l)) is { } bad)
        {
            throw new ValidationFailedException("workshop.language_invalid", $"'{Shorten(bad)}' is not a language tag such as 'en', 'fr' or 'pt-br'.", "languages");
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
        {
            throw new ValidationFailedException("workshop.language_repeated", "Each working language may be listed once.", "languages");
        }

        return list;
    }

    private static List<string> Names(IReadOnlyList<string>? names, string field, WorkshopOptions options)
    {
        if (names is { Count: > MaxListItems })
        {
            throw new ValidationFailedException($"workshop.{field}_too_many", $"At most {MaxListItems} {field}.", field);
        }

        return [.. (names ?? []).Select(n => Text(n, field, "workshop." + field, options.MaxTitleLength, required: false)).OfType<string>()];
    }

    private static List<Delegation> Delegations(IReadOnlyList<Delegation>? delegations, List<string> languages, WorkshopOptions options)
    {
        if (delegations is { Count: var count } && count > options.MaxDelegations)
        {
            throw new ValidationFailedException(
                "workshop.too_many_delegations", $"A workshop has at most {options.MaxDelegations} delegations.", "delegations");
        }

        var list = new List<Delegation>();
        foreach (var d in delegations ?? [])
        {
            var name = Text(d?.Name, "delegation name", "delegation.name", options.MaxNameLength, required: true)!;
            var id = string.IsNullOrWhiteSpace(d!.Id) ? Slug(name) : d.Id.Length > MaxRawTextLength ? "?" : d.Id.Trim().ToLowerInvariant();
            if (!IdPattern().IsMatch(id))
            {
                throw new ValidationFailedException(
                    "delegation.id_invalid", $"Delegation id '{Shorten(id)}' must be 1–40 lower-case letters, digits or '-'.", "delegations");
            }

            if (list.Any(other => other.Id == id || NameKey(other.Name) == NameKey(name)))
            {
                throw new ValidationFailedException("delegation.repeated", $"Delegation '{name}' ({id}) is listed twice.", "delegations");
            }

            var language = string.IsNullOrWhiteSpace(d.Language) ? null : d.Language.Length > 20 ? "?" : d.Language.Trim().ToLowerInvariant();
            if (language is not null && !languages.Contains(language))
            {
                throw new ValidationFailedException(
                    "delegation.language_unsupported", $"Delegation '{name}' uses '{Shorten(language)}', not a working language.", "delegations");
            }

            var kind = Text(d.Kind, "delegation kind", "delegation.kind", 40, required: false);
            var names = Translations(d.Names, languages, "delegation name", "delegation.name", options.MaxNameLength);
            list.Add(new Delegation(id, name, kind, language, names));
        }

        return list.Count <= options.MaxDelegations
            ? list
            : throw new ValidationFailedException(
                "workshop.too_many_delegations", $"A workshop has at most {options.MaxDelegations} delegations.", "delegations");
    }

    private static List<AgendaSession> Agenda(IReadOnlyList<AgendaSession>? agenda, int days, WorkshopOptions options, List<string> languages)
    {
        if (agenda is { Count: var count } && count > options.MaxAgendaSessions)
        {
            throw new ValidationFailedException(
                "workshop.too_many_sessions", $"An agenda has at most {options.MaxAgendaSessions} sessions.", "agenda");
        }

        var list = new List<AgendaSession>();
        foreach (var s in agenda ?? [])
        {
            var title = Text(s?.Title, "session title", "session.title", options.MaxTitleLength, required: true)!;
            if (s!.Day < 1 || s.Day > days)
            {
                throw new ValidationFailedException("session.day_invalid", $"Session '{Shorten(title)}' is on day {s.Day}; the workshop has days 1–{days}.", "agenda");
            }

            var id = string.IsNullOrWhiteSpace(s.Id) ? $"d{s.Day}-{list.Count(x => x.Day == s.Day) + 1}" : s.Id.Length > MaxRawTextLength ? "?" : s.Id.Trim().ToLowerInvariant();
            if (!IdPattern().IsMatch(id) || list.Any(x => x.Id == id))
            {
                throw new ValidationFailedException(
                    "session.id_invalid", $"Session id '{Shorten(id)}' must be unique, 1–40 lower-case letters, digits or '-'.", "agenda");
            }

            var kind = s.Kind is { Length: > 40 } ? "?" : (s.Kind ?? "plenary").Trim().ToLowerInvariant();
            if (kind is not ("plenary" or "breakouts"))
            {
                throw new ValidationFailedException("session.kind_invalid", $"Session kind '{Shorten(kind)}' is neither 'plenary' nor 'breakouts'.", "agenda");
            }

            if (s.StartsAt is { } start && s.EndsAt is { } end && end < start)
            {
                throw new ValidationFailedException("session.times_reversed", $"Session '{Shorten(title)}' ends before it starts.", "agenda");
            }

            if (s.Phases is { Count: > MaxPhases })
            {
                throw new ValidationFailedException("session.phases_invalid", $"A session has 1–{MaxPhases} distinct phases.", "agenda");
            }

            var phases = (s.Phases is { Count: > 0 } given ? given : DefaultPhases)
                .Select(p => Text(p, "phase", "session.phase", 40, required: true)!.ToLowerInvariant()).ToList();
            if (phases.Count > MaxPhases || phases.Distinct(StringComparer.Ordinal).Count() != phases.Count)
            {
                throw new ValidationFailedException("session.phases_invalid", $"A session has 1–{MaxPhases} distinct phases.", "agenda");
            }

            var rules = Sessions.PhaseTable.Normalize(phases, s.PhaseRules, title);
            var groupDocuments = Sessions.GroupTemplates.Normalize(s.GroupDocuments, "session.group_documents_invalid", "agenda");
            var titles = Translations(s.Titles, languages, "session title", "session.title", options.MaxTitleLength);
            list.Add(new AgendaSession(id, s.Day, title, kind, s.StartsAt, s.EndsAt, phases, rules, groupDocuments, titles));
        }

        return list.Count <= options.MaxAgendaSessions
            ? list
            : throw new ValidationFailedException(
                "workshop.too_many_sessions", $"An agenda has at most {options.MaxAgendaSessions} sessions.", "agenda");
    }

    /// <summary>The most themes a workshop names (each in every working language).</summary>
    public const int MaxThemes = 40;

    /// <summary>The longest theme name (as a recommendation's theme).</summary>
    public const int MaxThemeLength = 80;

    private static List<ThemeName> Themes(IReadOnlyList<ThemeName>? themes, List<string> languages)
    {
        if (themes is { Count: > MaxThemes })
        {
            throw new ValidationFailedException("workshop.too_many_themes", $"A workshop names at most {MaxThemes} themes.", "themes");
        }

        var list = new List<ThemeName>();
        var keys = new HashSet<string>();
        foreach (var t in themes ?? [])
        {
            var name = Text(t?.Name, "theme", "theme.name", MaxThemeLength, required: true)!;
            var names = Translations(t!.Names, languages, "theme", "theme.name", MaxThemeLength);
            if (!keys.Add(NameKey(name)))
            {
                throw new ValidationFailedException("theme.repeated", $"Theme '{Shorten(name)}' is listed twice.", "themes");
            }

            list.Add(new ThemeName(name, names));
        }

        return list;
    }

    /// <summary>
    /// A name's forms in other working languages, by language tag, cleaned as names are; empty forms dropped; null when
    /// none is left. A language that is not a working language is refused (<c>workshop.translation_language_unsupported</c>).
    /// </summary>
    private static Dictionary<string, string>? Translations(
        IReadOnlyDictionary<string, string>? forms, List<string> languages, string field, string codePrefix, int max)
    {
        if (forms is null || forms.Count == 0)
        {
            return null;
        }

        if (forms.Count > MaxLanguages)
        {
            throw new ValidationFailedException(
                "workshop.translation_language_unsupported", $"A {field} has at most one form per working language.", field);
        }

        var clean = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (language, text) in forms)
        {
            var tag = language is { Length: <= 20 } ? language.Trim().ToLowerInvariant() : "?";
            if (!languages.Contains(tag))
            {
                throw new ValidationFailedException(
                    "workshop.translation_language_unsupported", $"The {field} is given in '{Shorten(tag)}', not a working language.", field);
            }

            if (Text(text, field, codePrefix, max, required: false) is { } form)
            {
                clean[tag] = form;
            }
        }

        return clean.Count == 0 ? null : clean;
    }

    [GeneratedRegex(@"^[a-z]{2,3}(-[a-z0-9]{2,8})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,39}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
