using System.Text.RegularExpressions;

namespace Collab.Testing;

/// <summary>
/// What <c>seed FILE</c> printed, read the way a person reads it: the workshop id, the join code per role, and the
/// facilitator's token. Parsing fails the test (naming what is missing) rather than answering empty values.
/// </summary>
internal sealed partial record SeedOutput(string WorkshopId, IReadOnlyDictionary<string, string> Codes, string FacilitatorToken)
{
    public static SeedOutput Parse(string printed)
    {
        var workshop = LoadedAs().Match(printed);
        var token = TokenLine().Match(printed);
        var codes = CodeLine().Matches(printed).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.True(workshop.Success && token.Success && codes.Count == 4, "The seed command printed no workshop id, facilitator token or four join codes: " + printed);
        return new SeedOutput(workshop.Groups[1].Value, codes, token.Groups[1].Value);
    }

    [GeneratedRegex(@"as workshop ([a-z0-9]+) \(")]
    private static partial Regex LoadedAs();

    [GeneratedRegex(@"^\s+(facilitator|rapporteur|participant|observer)\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();

    [GeneratedRegex(@"^Facilitator \(.*token.*\n\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex TokenLine();
}
