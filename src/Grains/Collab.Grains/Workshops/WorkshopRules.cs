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
        List<AgendaSession> Agenda);

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
        WorkshopOptions options)
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
            Agenda(agenda, days, options));
    }

    /// <summary>A display name: trimmed, inner whitespace collapsed, no control characters, 1–max characters.</summary>
    public static string PersonName(string? name, string field, WorkshopOptions options) =>
        Text(name, field, "participant.name", options.MaxNameLength, required: true)!;

    /// <summary>Names compare case- and accent-insensitively, so "Adjoa Mensah" and "adjoa  mensah" are one person.</summary>
    public static string NameKey(string name)
    {
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    public static string? Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var trimmed = email.Trim();
        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        if (trimmed.Length > MaxEmailLength || at <= 0 || at == trimmed.Length - 1 || trimmed.IndexOf('@', at + 1) >= 0 || trimmed.Any(char.IsWhiteSpace))
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
        var clean = string.Join(' ', new string((value ?? "").Select(c => char.IsControl(c) ? ' ' : c).ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
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
        var list = (languages ?? []).Select(l => l?.Trim().ToLowerInvariant() ?? "").ToList();
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
        var list = (names ?? []).Select(n => Text(n, field, "workshop." + field, options.MaxTitleLength, required: false))
            .OfType<string>().ToList();
        return list.Count <= MaxListItems
            ? list
            : throw new ValidationFailedException($"workshop.{field}_too_many", $"At most {MaxListItems} {field}.", field);
    }

    private static List<Delegation> Delegations(IReadOnlyList<Delegation>? delegations, List<string> languages, WorkshopOptions options)
    {
        var list = new List<Delegation>();
        foreach (var d in delegations ?? [])
        {
            var name = Text(d?.Name, "delegation name", "delegation.name", options.MaxNameLength, required: true)!;
            var id = string.IsNullOrWhiteSpace(d!.Id) ? Slug(name) : d.Id.Trim().ToLowerInvariant();
            if (!IdPattern().IsMatch(id))
            {
                throw new ValidationFailedException(
                    "delegation.id_invalid", $"Delegation id '{Shorten(id)}' must be 1–40 lower-case letters, digits or '-'.", "delegations");
            }

            if (list.Any(other => other.Id == id || NameKey(other.Name) == NameKey(name)))
            {
                throw new ValidationFailedException("delegation.repeated", $"Delegation '{name}' ({id}) is listed twice.", "delegations");
            }

            var language = string.IsNullOrWhiteSpace(d.Language) ? null : d.Language.Trim().ToLowerInvariant();
            if (language is not null && !languages.Contains(language))
            {
                throw new ValidationFailedException(
                    "delegation.language_unsupported", $"Delegation '{name}' uses '{Shorten(language)}', not a working language.", "delegations");
            }

            var kind = Text(d.Kind, "delegation kind", "delegation.kind", 40, required: false);
            list.Add(new Delegation(id, name, kind, language));
        }

        return list.Count <= options.MaxDelegations
            ? list
            : throw new ValidationFailedException(
                "workshop.too_many_delegations", $"A workshop has at most {options.MaxDelegations} delegations.", "delegations");
    }

    private static List<AgendaSession> Agenda(IReadOnlyList<AgendaSession>? agenda, int days, WorkshopOptions options)
    {
        var list = new List<AgendaSession>();
        foreach (var s in agenda ?? [])
        {
            var title = Text(s?.Title, "session title", "session.title", options.MaxTitleLength, required: true)!;
            if (s!.Day < 1 || s.Day > days)
            {
                throw new ValidationFailedException("session.day_invalid", $"Session '{Shorten(title)}' is on day {s.Day}; the workshop has days 1–{days}.", "agenda");
            }

            var id = string.IsNullOrWhiteSpace(s.Id) ? $"d{s.Day}-{list.Count(x => x.Day == s.Day) + 1}" : s.Id.Trim().ToLowerInvariant();
            if (!IdPattern().IsMatch(id) || list.Any(x => x.Id == id))
            {
                throw new ValidationFailedException(
                    "session.id_invalid", $"Session id '{Shorten(id)}' must be unique, 1–40 lower-case letters, digits or '-'.", "agenda");
            }

            var kind = (s.Kind ?? "plenary").Trim().ToLowerInvariant();
            if (kind is not ("plenary" or "breakouts"))
            {
                throw new ValidationFailedException("session.kind_invalid", $"Session kind '{Shorten(kind)}' is neither 'plenary' nor 'breakouts'.", "agenda");
            }

            if (s.StartsAt is { } start && s.EndsAt is { } end && end < start)
            {
                throw new ValidationFailedException("session.times_reversed", $"Session '{Shorten(title)}' ends before it starts.", "agenda");
            }

            var phases = (s.Phases is { Count: > 0 } given ? given : DefaultPhases)
                .Select(p => Text(p, "phase", "session.phase", 40, required: true)!.ToLowerInvariant()).ToList();
            if (phases.Count > MaxPhases || phases.Distinct(StringComparer.Ordinal).Count() != phases.Count)
            {
                throw new ValidationFailedException("session.phases_invalid", $"A session has 1–{MaxPhases} distinct phases.", "agenda");
            }

            list.Add(new AgendaSession(id, s.Day, title, kind, s.StartsAt, s.EndsAt, phases));
        }

        return list.Count <= options.MaxAgendaSessions
            ? list
            : throw new ValidationFailedException(
                "workshop.too_many_sessions", $"An agenda has at most {options.MaxAgendaSessions} sessions.", "agenda");
    }

    [GeneratedRegex("^[a-z]{2,3}(-[a-z0-9]{2,8})?$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
