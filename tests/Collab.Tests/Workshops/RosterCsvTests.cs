using System.Text;
using Collab.Errors;
using Collab.Web.Workshops;
using Collab.Workshops;

namespace Collab.Tests.Workshops;

public sealed class RosterCsvTests
{
    private const int MaxRows = 500;

    private static Task<IReadOnlyList<RosterEntry>> ParseAsync(string csv, int maxRows = MaxRows) =>
        RosterCsv.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), maxRows);

    /// <summary>Asserts the rejection every roster error shares: its code, the field, and the line it names.</summary>
    private static async Task<ValidationFailedException> RejectedAsync(string csv, string code, int line, int maxRows = MaxRows)
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => ParseAsync(csv, maxRows));
        Assert.Equal(code, error.Code);
        Assert.Equal("roster", error.Field);
        Assert.StartsWith($"Line {line}:", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public async Task CommaSeparatedRosterIsRead()
    {
        var roster = await ParseAsync(
            """
            name,email,delegation,role,language,group
            Adjoa Mensah,adjoa.mensah@example.org,Ghana,facilitator,en,A
            Jean Dupont,jean.dupont@example.org,Togo,participant,fr,B
            """);

        Assert.Equal(
            [
                new RosterEntry("Adjoa Mensah", "adjoa.mensah@example.org", "Ghana", Role.Facilitator, "en", "A"),
                new RosterEntry("Jean Dupont", "jean.dupont@example.org", "Togo", Role.Participant, "fr", "B"),
            ],
            roster);
    }

    [Fact]
    public async Task SemicolonSeparatedRosterFromFrenchExcelIsRead()
    {
        // What "CSV UTF-8" in a French Excel writes: a byte order mark, ';' between cells, CR LF line ends.
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(
            "name;email;delegation;role;language;group\r\n" +
            "Adjoa Mensah;adjoa@example.org;Côte d'Ivoire;Rapporteuse;fr;Groupe 1\r\n" +
            "Koffi, Jean;;Bénin;;fr;\r\n")).ToArray();

        var roster = await RosterCsv.ParseAsync(new MemoryStream(bytes), MaxRows);

        Assert.Equal(
            [
                new RosterEntry("Adjoa Mensah", "adjoa@example.org", "Côte d'Ivoire", Role.Rapporteur, "fr", "Groupe 1"),
                new RosterEntry("Koffi, Jean", null, "Bénin", Role.Participant, "fr", null),
            ],
            roster);
    }

    [Fact]
    public async Task ByteOrderMarkDoesNotHideTheNameColumn()
    {
        var roster = await ParseAsync("\uFEFFname,email\nAdjoa Mensah,adjoa@example.org\n");

        Assert.Equal([new RosterEntry("Adjoa Mensah", "adjoa@example.org", null, Role.Participant, null, null)], roster);
    }

    [Fact]
    public async Task ColumnsMatchInAnyOrderAndCaseWithSpacesAround()
    {
        var roster = await ParseAsync(
            """
             GROUP , Role,Email ,  NAME  ,Language,DELEGATION
            B, observer ,kofi@example.org,  Kofi Annan ,en,Ghana
            """);

        Assert.Equal([new RosterEntry("Kofi Annan", "kofi@example.org", "Ghana", Role.Observer, "en", "B")], roster);
    }

    [Fact]
    public async Task NameAloneIsAWholeRoster()
    {
        var roster = await ParseAsync("name\nAdjoa Mensah\nJean Dupont\n");

        Assert.Equal(
            [
                new RosterEntry("Adjoa Mensah", null, null, Role.Participant, null, null),
                new RosterEntry("Jean Dupont", null, null, Role.Participant, null, null),
            ],
            roster);
    }

    [Fact]
    public async Task EmptyCellsReadAsNullAndEmptyRoleAsParticipant()
    {
        var roster = await ParseAsync("name,email,delegation,role,language,group\nAdjoa Mensah, , ,,\"\",\n");

        Assert.Equal([new RosterEntry("Adjoa Mensah", null, null, Role.Participant, null, null)], roster);
    }

    [Fact]
    public async Task ShortRowsReadTheMissingCellsAsEmpty()
    {
        var roster = await ParseAsync("name,email,delegation,role\nAdjoa Mensah,adjoa@example.org\n");

        Assert.Equal([new RosterEntry("Adjoa Mensah", "adjoa@example.org", null, Role.Participant, null, null)], roster);
    }

    [Theory]
    [InlineData("facilitator", Role.Facilitator)]
    [InlineData("Facilitator", Role.Facilitator)]
    [InlineData("rapporteur", Role.Rapporteur)]
    [InlineData("PARTICIPANT", Role.Participant)]
    [InlineData("observer", Role.Observer)]
    [InlineData("facilitateur", Role.Facilitator)]
    [InlineData("Facilitatrice", Role.Facilitator)]
    [InlineData("rapporteuse", Role.Rapporteur)]
    [InlineData("participante", Role.Participant)]
    [InlineData("Observateur", Role.Observer)]
    [InlineData("observatrice", Role.Observer)]
    public async Task RolesAreReadInEnglishAndFrenchIgnoringCase(string text, Role role)
    {
        var roster = await ParseAsync($"name;role\nAdjoa Mensah;{text}\n");

        Assert.Equal(role, Assert.Single(roster).Role);
    }

    [Fact]
    public async Task QuotedValuesKeepCommasQuotesAccentsAndLineBreaks()
    {
        var roster = await ParseAsync(
            "name,delegation,group\n" +
            "\"Adjoa Mensah\",\"Côte d'Ivoire\",\"Groupe 1, salle B\"\n" +
            "\"Kwame \"\"KK\"\" Mensah\",\"République\nDémocratique du Congo\",\n");

        Assert.Equal(
            [
                new RosterEntry("Adjoa Mensah", null, "Côte d'Ivoire", Role.Participant, null, "Groupe 1, salle B"),
                new RosterEntry("Kwame \"KK\" Mensah", null, "République\nDémocratique du Congo", Role.Participant, null, null),
            ],
            roster);
    }

    [Fact]
    public async Task BlankLinesAndEmptiedExcelRowsAreSkipped()
    {
        var roster = await ParseAsync(
            "\n\nname;email;;\n\nAdjoa Mensah;adjoa@example.org;;\n   \n;;;\r\n\r\nJean Dupont;;;\n\n");

        Assert.Equal(["Adjoa Mensah", "Jean Dupont"], roster.Select(entry => entry.Name));
    }

    [Fact]
    public async Task HeaderAloneIsAnEmptyRoster()
    {
        Assert.Empty(await ParseAsync("name,email,role\n"));
    }

    [Fact]
    public async Task RosterIsReadWhenTheUploadArrivesOneByteAtATime()
    {
        var bytes = Encoding.UTF8.GetBytes("\uFEFF\r\nname;delegation\r\nAdjoa Mensah;Côte d'Ivoire, Abidjan\r\n");
        using var upload = new TricklingStream(bytes);

        var roster = await RosterCsv.ParseAsync(upload, MaxRows);

        Assert.Equal([new RosterEntry("Adjoa Mensah", null, "Côte d'Ivoire, Abidjan", Role.Participant, null, null)], roster);
        Assert.True(upload.CanRead, "the caller's stream is left open");
    }

    [Fact]
    public async Task ExactlyMaxRowsAreAccepted()
    {
        var roster = await ParseAsync("name\nA\n\nB\n\n", maxRows: 2);

        Assert.Equal(2, roster.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public async Task EmptyFileIsRejectedForItsMissingHeader(string csv)
    {
        var error = await RejectedAsync(csv, "roster.header_missing", line: 1);

        Assert.Contains("name (required), email, delegation, role, language, group", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeaderWithoutNameColumnIsRejected()
    {
        var error = await RejectedAsync("\nnom;courriel\nAdjoa Mensah;adjoa@example.org\n", "roster.header_missing", line: 2);

        Assert.Contains("'nom', 'courriel'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataWithoutHeaderRowIsRejected()
    {
        var error = await RejectedAsync("Adjoa Mensah,adjoa@example.org\n", "roster.header_missing", line: 1);

        Assert.Contains("'Adjoa Mensah'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownColumnIsRejectedWithTheAllowedOnes()
    {
        var error = await RejectedAsync("name,email,phone\nAdjoa Mensah,,+228 90 00 00 00\n", "roster.unknown_column", line: 1);

        Assert.Contains("'phone'", error.Message, StringComparison.Ordinal);
        Assert.Contains("name (required), email, delegation, role, language, group", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ColumnNamedTwiceIsRejected()
    {
        var error = await RejectedAsync("name,email,Email\nAdjoa Mensah,a@example.org,b@example.org\n", "roster.unknown_column", line: 1);

        Assert.Contains("'Email' twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RowWithoutNameIsRejectedWithItsLine()
    {
        var error = await RejectedAsync("name,email\nAdjoa Mensah,\n\n  ,jean@example.org\n", "roster.name_required", line: 4);

        Assert.Contains("jean@example.org", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoleIsRejectedWithItsLineAndValue()
    {
        var error = await RejectedAsync("name;role\nAdjoa Mensah;facilitatrice\nJean Dupont;président\n", "roster.role_invalid", line: 3);

        Assert.Contains("'président'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("adjoa.example.org")]
    [InlineData("adjoa@@example.org")]
    [InlineData("adjoa@example@org")]
    [InlineData("@example.org")]
    [InlineData("adjoa@")]
    [InlineData("adjoa mensah@example.org")]
    public async Task MalformedEmailIsRejectedWithItsLineAndValue(string email)
    {
        var error = await RejectedAsync($"name,email\nAdjoa Mensah,{email}\n", "roster.email_invalid", line: 2);

        Assert.Contains($"'{email}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmailOf254CharactersIsTheLongestAccepted()
    {
        var longest = new string('a', 64) + "@" + new string('b', 189);
        Assert.Equal(254, longest.Length);

        Assert.Equal(longest, Assert.Single(await ParseAsync($"name,email\nAdjoa Mensah,{longest}\n")).Email);
        await RejectedAsync($"name,email\nAdjoa Mensah,{longest}b\n", "roster.email_invalid", line: 2);
    }

    [Fact]
    public async Task MoreRowsThanTheLimitAreRejectedAtTheFirstRowTooMany()
    {
        var error = await RejectedAsync("name\nA\n\nB\nC\nD\n", "roster.too_many_rows", line: 5, maxRows: 2);

        Assert.Contains("more than 2 rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnterminatedQuoteIsRejectedAsMalformed()
    {
        var error = await RejectedAsync(
            "name,delegation\nAdjoa Mensah,Ghana\nJean Dupont,\"Côte d'Ivoire\nKofi Annan,Ghana\n", "roster.malformed", line: 3);

        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Jean Dupont,\"Côte d'Ivoire…'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuoteInsideAnUnquotedValueIsRejectedAsMalformed()
    {
        var error = await RejectedAsync("name,email\nKwame \"KK\" Mensah,\n", "roster.malformed", line: 2);

        Assert.Contains("'Kwame \"KK\" Mensah,'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnquotedSeparatorInAValueIsRejectedAsMalformed()
    {
        // Without quotes, "Mensah, Adjoa" is two cells; reading only the first would lose half the name.
        var error = await RejectedAsync("name\nJean Dupont\nMensah, Adjoa\n", "roster.malformed", line: 3);

        Assert.Contains("'Adjoa'", error.Message, StringComparison.Ordinal);
        Assert.Contains("column 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RowLongerThanAnyPersonIsRejectedAsMalformed()
    {
        var swallowed = string.Concat(Enumerable.Repeat("Kofi Annan,Ghana\n", 10_000));

        await RejectedAsync("name,delegation\nAdjoa Mensah,\"Ghana\n" + swallowed, "roster.malformed", line: 2);
    }

    [Fact]
    public async Task LineNumbersCountTheLinesInsideQuotedValues()
    {
        await RejectedAsync(
            "name,delegation\n\"Adjoa Mensah\",\"République\nDémocratique\ndu Congo\"\n,Ghana\n", "roster.name_required", line: 5);
    }

    [Fact]
    public async Task CancelledParseStopsReading()
    {
        using var upload = new MemoryStream(Encoding.UTF8.GetBytes("name\nAdjoa Mensah\n"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => RosterCsv.ParseAsync(upload, MaxRows, new CancellationToken(canceled: true)));
    }

    /// <summary>An upload that arrives in one-byte reads, as a slow network may deliver it.</summary>
    private sealed class TricklingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
    }
}
