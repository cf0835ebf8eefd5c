using System.Text.RegularExpressions;
using Collab.Errors;

namespace Collab.Workshops;

/// <summary>The bounds every workshop command is checked against before anything is written.</summary>
internal static partial class WorkshopRules
{
    public const int MaxTitleLength = 200;
    public const int MaxVenueLength = 200;
    public const int MaxLanguages = 4;
    public const int MaxDays = 31;

    public static CreateWorkshop Normalize(CreateWorkshop command)
    {
        var title = command.Title?.Trim() ?? "";
        if (title.Length == 0)
        {
            throw new ValidationFailedException("workshop.title_required", "A workshop needs a title.", "title");
        }

        if (title.Length > MaxTitleLength)
        {
            throw new ValidationFailedException(
                "workshop.title_too_long", $"The title has {title.Length} characters; at most {MaxTitleLength} are allowed.", "title");
        }

        var venue = string.IsNullOrWhiteSpace(command.Venue) ? null : command.Venue.Trim();
        if (venue is { Length: > MaxVenueLength })
        {
            throw new ValidationFailedException(
                "workshop.venue_too_long", $"The venue has {venue.Length} characters; at most {MaxVenueLength} are allowed.", "venue");
        }

        if (command.EndsOn < command.StartsOn)
        {
            throw new ValidationFailedException(
                "workshop.dates_reversed", $"The workshop ends ({command.EndsOn:yyyy-MM-dd}) before it starts ({command.StartsOn:yyyy-MM-dd}).", "endsOn");
        }

        if (command.EndsOn.DayNumber - command.StartsOn.DayNumber >= MaxDays)
        {
            throw new ValidationFailedException(
                "workshop.too_long", $"A workshop lasts at most {MaxDays} days.", "endsOn");
        }

        var languages = (command.Languages ?? []).Select(l => l?.Trim().ToLowerInvariant() ?? "").ToList();
        if (languages.Count is 0 or > MaxLanguages)
        {
            throw new ValidationFailedException(
                "workshop.languages_count", $"Give between 1 and {MaxLanguages} working languages.", "languages");
        }

        if (languages.FirstOrDefault(l => !LanguageTag().IsMatch(l)) is { } bad)
        {
            throw new ValidationFailedException(
                "workshop.language_invalid", $"'{bad}' is not a language tag such as 'en', 'fr' or 'pt-br'.", "languages");
        }

        if (languages.Distinct(StringComparer.Ordinal).Count() != languages.Count)
        {
            throw new ValidationFailedException(
                "workshop.language_repeated", "Each working language may be listed once.", "languages");
        }

        return command with { Title = title, Venue = venue, Languages = languages };
    }

    [GeneratedRegex("^[a-z]{2,3}(-[a-z0-9]{2,8})?$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
