using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Collab.Errors;
using Collab.Workshops;
using CsvHelper;
using static System.FormattableString;

namespace Collab.Web.Workshops;

/// <summary>
/// Reads an uploaded roster (a header row naming some of <c>name, email, delegation, role, language, group</c>, then
/// one person per row) into <see cref="RosterEntry"/> values. It rejects only what the facilitator has to fix in the
/// file itself, naming the line; the workshop grain applies the domain rules (name length, known delegations).
/// </summary>
public static class RosterCsv
{
    private const string Field = "roster";
    private const int MaxEmailLength = 254;

    // The header line is looked for in this much input; a longer first line is not a roster header anyway.
    private const int HeaderScanBytes = 64 * 1024;

    // A row is one person. Anything longer is a quote that was never closed swallowing the rest of the file, and
    // buffering all of it would let one upload hold the whole body in memory.
    private const int MaxRowBytes = 64 * 1024;

    // Enough of a value to find the cell, not so much that a swallowed file becomes the message.
    private const int MaxShownChars = 60;

    private const string AllowedColumns = "name (required), email, delegation, role, language, group";

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private static readonly Dictionary<string, Column> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["name"] = Column.Name,
        ["email"] = Column.Email,
        ["delegation"] = Column.Delegation,
        ["role"] = Column.Role,
        ["language"] = Column.Language,
        ["group"] = Column.Group,
    };

    // French as well as English: rosters are prepared by facilitators in both languages.
    private static readonly Dictionary<string, Role> Roles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["facilitator"] = Role.Facilitator,
        ["facilitateur"] = Role.Facilitator,
        ["facilitatrice"] = Role.Facilitator,
        ["rapporteur"] = Role.Rapporteur,
        ["rapporteuse"] = Role.Rapporteur,
        ["participant"] = Role.Participant,
        ["participante"] = Role.Participant,
        ["observer"] = Role.Observer,
        ["observateur"] = Role.Observer,
        ["observatrice"] = Role.Observer,
    };

    private enum Column
    {
        Name,
        Email,
        Delegation,
        Role,
        Language,
        Group,
    }

    /// <summary>
    /// The largest roster file read (<c>roster.too_large</c> beyond): 500 people take about 50 KB; this leaves room for
    /// long rows and many blank ones without letting one upload hold megabytes.
    /// </summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Reads a roster CSV, separated by <c>,</c> or <c>;</c> (as the header line shows), blank lines skipped. The encoding
    /// is found from the bytes: UTF-8 with or without a byte order mark, UTF-16 or UTF-32 with one, otherwise
    /// Windows-1252 (what a spreadsheet in a Western European locale saves as "CSV"); a file that mixes UTF-8 with other
    /// bytes is refused naming its first line that is not UTF-8. Nothing is ever read as U+FFFD.
    /// </summary>
    /// <param name="csv">The upload; read to the end (or the first error) and left open.</param>
    /// <param name="maxRows">The most people the roster may list.</param>
    /// <param name="cancellationToken">Stops reading the upload.</param>
    /// <returns>One entry per non-blank data row, in file order.</returns>
    /// <exception cref="ValidationFailedException">
    /// Field <c>roster</c>; code <c>roster.too_large</c>, <c>roster.encoding_invalid</c>, <c>roster.header_missing</c>, <c>roster.unknown_column</c>, <c>roster.name_required</c>,
    /// <c>roster.role_invalid</c>, <c>roster.email_invalid</c>, <c>roster.too_many_rows</c> or <c>roster.malformed</c>,
    /// with a message naming the line and the value at fault.
    /// </exception>
    public static async Task<IReadOnlyList<RosterEntry>> ParseAsync(
        Stream csv, int maxRows, CancellationToken cancellationToken = default) =>
        await ParseAsync(csv, maxRows, rowErrors: null, cancellationToken);

    /// <summary>
    /// Reads a roster as <see cref="ParseAsync(Stream, int, CancellationToken)"/> does, but a row at fault (no name, an
    /// unknown role, an e-mail address that is not one) is answered as an error row instead of refusing the file, so that
    /// a preview can show every line's problem at once. What spoils the whole file (encoding, header, quoting, size) is
    /// still refused.
    /// </summary>
    /// <returns>The readable rows, the line of each, and the rows at fault.</returns>
    public static async Task<(IReadOnlyList<RosterEntry> Entries, IReadOnlyList<int> Lines, IReadOnlyList<RosterPreviewRow> Errors)> PreviewAsync(
        Stream csv, int maxRows, CancellationToken cancellationToken = default)
    {
        var errors = new List<RosterPreviewRow>();
        var lines = new List<int>();
        var entries = await ParseAsync(csv, maxRows, errors, cancellationToken, lines);
        return (entries, lines, errors);
    }

    private static async Task<IReadOnlyList<RosterEntry>> ParseAsync(
        Stream csv, int maxRows, List<RosterPreviewRow>? rowErrors, CancellationToken cancellationToken, List<int>? lines = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);

        // The encoding is known only once every byte is seen (a Windows-1252 é may come on the last line), so the upload
        // is read whole, within MaxBytes, and handed on as UTF-8.
        using var utf8 = new MemoryStream(Encoding.UTF8.GetBytes(Decode(await ReadAllAsync(csv, cancellationToken))), writable: false);

        // The separator is decided from the header line before CsvHelper starts, so the upload goes through a pipe
        // that can look ahead without consuming: CsvHelper then reads it from the first byte.
        var input = PipeReader.Create(utf8, new StreamPipeReaderOptions(leaveOpen: true));
        await using var source = input.AsStream();
        var separator = await DetectSeparatorAsync(input, cancellationToken);
        await using var reader = CsvReader.Create(source, Options(separator), leaveOpen: true);
        try
        {
            var columns = await ReadHeaderAsync(reader, cancellationToken);
            var entries = new List<RosterEntry>();
            while (await reader.ReadAsync(cancellationToken))
            {
                if (IsBlank(reader))
                {
                    continue;
                }

                if (entries.Count + (rowErrors?.Count ?? 0) == maxRows)
                {
                    throw Invalid("roster.too_many_rows", Invariant(
                        $"Line {reader.LineNumber}: the roster has more than {maxRows} rows, the most one roster may list. Remove the rows of people who will not attend."));
                }

                if (rowErrors is null)
                {
                    entries.Add(ReadEntry(reader, columns));
                    continue;
                }

                var line = (int)reader.LineNumber;
                try
                {
                    entries.Add(ReadEntry(reader, columns));
                    lines?.Add(line);
                }
                catch (ValidationFailedException refused)
                {
                    rowErrors.Add(new RosterPreviewRow(
                        line, Cell(reader, columns, Column.Name), null, Cell(reader, columns, Column.Delegation), Cell(reader, columns, Column.Group),
                        "error", refused.Code, refused.Message));
                }
            }

            return entries;
        }
        catch (CsvFormatException e)
        {
            // Quoting problems arrive through OnMalformedRecord; what is left is a row too long to buffer.
            throw Invalid("roster.malformed", Invariant(
                $"Line {Math.Max(1, e.LineNumber)}: the row could not be read as CSV ({e.Message.TrimEnd('.')}); this usually means a double quote that is never closed. {QuotingHint(separator)}"));
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream csv, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await csv.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw Invalid("roster.too_large", Invariant(
                    $"Line 1: the file is larger than {MaxBytes / 1024 / 1024} MB, far more than a roster of people needs. Save only the roster's columns as CSV."));
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The text of the upload, from its byte order mark, or UTF-8 when every byte is UTF-8, else Windows-1252.</summary>
    private static string Decode(byte[] bytes)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith(Utf8Bom))
        {
            return Utf8Text(span[Utf8Bom.Length..], "UTF-8 (it starts with a UTF-8 byte order mark)");
        }

        // UTF-32 first: its little-endian mark starts like UTF-16's.
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return Strict(new UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true), span[4..], "UTF-32");
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return Strict(new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true), span[4..], "UTF-32");
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Strict(new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true), span[2..], "UTF-16");
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Strict(new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true), span[2..], "UTF-16");
        }

        if (span.IndexOf((byte)0) is var zero and >= 0)
        {
            // UTF-16 without a byte order mark: every other byte of Latin text is zero.
            throw Invalid("roster.encoding_invalid", Invariant(
                $"Line {LineOf(span, zero)}: the file is not text in an encoding Collab can tell (it holds zero bytes, as UTF-16 without a byte order mark does). Save it as \"CSV UTF-8\"."));
        }

        var (firstInvalid, multiByte) = ScanUtf8(span);
        if (firstInvalid < 0)
        {
            return Encoding.UTF8.GetString(span);
        }

        if (multiByte)
        {
            // Some characters are UTF-8 and others are not: reading it either way would garble part of it.
            throw Invalid("roster.encoding_invalid", Invariant(
                $"Line {LineOf(span, firstInvalid)}: this line is not UTF-8, although the lines before it are; the file mixes two encodings. Save it again as \"CSV UTF-8\"."));
        }

        // No UTF-8 at all beyond ASCII: a "CSV" from a spreadsheet in a Western European locale (é is the byte E9).
        return Windows1252.GetString(span);
    }

    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)
        ?? throw new InvalidOperationException("The Windows-1252 encoding is not available.");

    private static string Utf8Text(ReadOnlySpan<byte> span, string declared)
    {
        var (firstInvalid, _) = ScanUtf8(span);
        return firstInvalid < 0
            ? Encoding.UTF8.GetString(span)
            : throw Invalid("roster.encoding_invalid", Invariant(
                $"Line {LineOf(span, firstInvalid)}: this line is not {declared}. Save the file again as \"CSV UTF-8\"."));
    }

    private static string Strict(Encoding encoding, ReadOnlySpan<byte> span, string name)
    {
        try
        {
            return encoding.GetString(span);
        }
        catch (DecoderFallbackException invalid)
        {
            var at = Math.Max(0, invalid.Index);
            throw Invalid("roster.encoding_invalid", Invariant(
                $"Line {LineOf(span, at)}: the file starts with a {name} byte order mark but is not valid {name} here. Save it again as \"CSV UTF-8\"."));
        }
    }

    /// <returns>The offset of the first byte that is not UTF-8 (-1 for none), and whether any character took more than one byte.</returns>
    private static (int FirstInvalid, bool MultiByte) ScanUtf8(ReadOnlySpan<byte> span)
    {
        var multiByte = false;
        for (var offset = 0; offset < span.Length;)
        {
            var ascii = span[offset..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (ascii < 0)
            {
                break;
            }

            offset += ascii;
            if (Rune.DecodeFromUtf8(span[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return (offset, multiByte);
            }

            multiByte = true;
            offset += consumed;
        }

        return (-1, multiByte);
    }

    /// <summary>The 1-based line of the byte at <paramref name="offset"/>, as the other roster errors count lines.</summary>
    private static int LineOf(ReadOnlySpan<byte> span, int offset) => span[..Math.Min(offset, span.Length)].Count((byte)'\n') + 1;

    private static CsvReaderOptions Options(char separator) => new()
    {
        Separator = separator,
        HasHeader = true,
        SkipEmptyLines = true,
        AllowLineBreaksInQuotes = true,
        TrimWhitespace = true,
        TrackLineNumbers = true,
        MaxRecordSize = MaxRowBytes,

        // Recover rather than Throw: only the callback is told the reason, the line and the raw text that a
        // facilitator needs to find the problem. Throwing from it stops at the first malformed record.
        MalformedData = CsvMalformedDataHandling.Recover,
        OnMalformedRecord = record => throw Invalid("roster.malformed", Invariant(
            $"Line {record.LineNumber}: not valid CSV, {Describe(record.Reason)} in {Show(record.RawRecord)}. {QuotingHint(separator)}")),
    };

    /// <summary>
    /// Excel writes <c>;</c> where the decimal separator is a comma (French locales) and <c>,</c> elsewhere. The header
    /// line holds only column names, so whichever of the two it contains more of is the separator; a single-column
    /// header has neither and gets <c>,</c>.
    /// </summary>
    private static async Task<char> DetectSeparatorAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var complete = TryReadHeaderSeparator(buffer, out var separator);
            if (complete || read.IsCompleted || buffer.Length >= HeaderScanBytes)
            {
                input.AdvanceTo(buffer.Start);
                return separator;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <returns>Whether the whole first non-blank line was in <paramref name="buffer"/>.</returns>
    private static bool TryReadHeaderSeparator(ReadOnlySequence<byte> buffer, out char separator)
    {
        var bytes = new SequenceReader<byte>(buffer);
        int commas = 0, semicolons = 0;
        bool quoted = false, blank = true;
        while (bytes.TryRead(out var b))
        {
            switch (b)
            {
                case (byte)'\r' or (byte)'\n' when !quoted:
                    if (!blank)
                    {
                        separator = semicolons > commas ? ';' : ',';
                        return true;
                    }

                    break;
                case (byte)' ' or (byte)'\t':
                    break;
                case (byte)'"':
                    quoted = !quoted;
                    blank = false;
                    break;
                case (byte)',' when !quoted:
                    commas++;
                    blank = false;
                    break;
                case (byte)';' when !quoted:
                    semicolons++;
                    blank = false;
                    break;
                default:
                    blank = false;
                    break;
            }
        }

        separator = semicolons > commas ? ';' : ',';
        return false;
    }

    /// <returns>The index of each <see cref="Column"/> in the file, or -1 where the file does not have it.</returns>
    private static async Task<int[]> ReadHeaderAsync(CsvReader reader, CancellationToken cancellationToken)
    {
        await reader.ReadHeaderAsync(cancellationToken);
        var headers = reader.Headers;
        if (headers.Count == 0)
        {
            throw Invalid("roster.header_missing",
                $"Line 1: the roster is empty. Its first line must be a header naming the columns: {AllowedColumns}.");
        }

        var line = reader.LineNumber;

        var columns = new int[Columns.Count];
        Array.Fill(columns, -1);
        string? unknown = null;
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i].Trim();
            if (header.Length == 0)
            {
                // Excel writes an empty header for a formatted but unused column; its cells must stay empty (IsBlank).
                continue;
            }

            if (!Columns.TryGetValue(header, out var column))
            {
                unknown ??= header;
                continue;
            }

            if (columns[(int)column] >= 0)
            {
                // Reading either copy would silently drop the other one's values.
                throw Invalid("roster.unknown_column", Invariant(
                    $"Line {line}: the header names the column {Show(header)} twice; keep one. The columns are: {AllowedColumns}."));
            }

            columns[(int)column] = i;
        }

        // Without a name column this is most likely not a header at all (data from line 1, or headers in another
        // language), so say that rather than complain about each of its cells.
        if (columns[(int)Column.Name] < 0)
        {
            var found = headers.Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => Show(h.Trim())).ToList();
            var foundText = found.Count == 0 ? "it names no column" : "found " + string.Join(", ", found);
            throw Invalid("roster.header_missing", Invariant(
                $"Line {line}: the header has no 'name' column ({foundText}). The first line must name the columns: {AllowedColumns}."));
        }

        if (unknown is not null)
        {
            throw Invalid("roster.unknown_column", Invariant(
                $"Line {line}: unknown column {Show(unknown)} in the header. The columns are: {AllowedColumns}."));
        }

        return columns;
    }

    /// <summary>
    /// Whether the row has nothing in it, as Excel writes for an emptied row (<c>;;;;</c>). A value in a column the
    /// header does not name is refused instead: it is usually a separator inside an unquoted value, which has
    /// shifted the cells after it.
    /// </summary>
    private static bool IsBlank(CsvReader reader)
    {
        var blank = true;
        int? outside = null;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.IsNullOrWhiteSpace(reader.GetString(i)))
            {
                continue;
            }

            blank = false;
            if (!IsNamedColumn(reader, i))
            {
                outside ??= i;
            }
        }

        if (!blank && outside is { } index)
        {
            throw Invalid("roster.malformed", Invariant(
                $"Line {reader.LineNumber}: the value {Show(reader.GetString(index).Trim())} is in column {index + 1}, which the header does not name. {QuotingHint(reader.Separator)}"));
        }

        return blank;
    }

    private static bool IsNamedColumn(CsvReader reader, int index) =>
        index < reader.Headers.Count && !string.IsNullOrWhiteSpace(reader.Headers[index]);

    private static RosterEntry ReadEntry(CsvReader reader, int[] columns)
    {
        var line = reader.LineNumber;
        var name = Cell(reader, columns, Column.Name);
        if (name is null)
        {
            throw Invalid("roster.name_required", Invariant(
                $"Line {line}: the name is empty in {Show(reader.Current.ToString())}; every row needs a name."));
        }

        var roleText = Cell(reader, columns, Column.Role);
        var role = Role.Participant;
        if (roleText is not null && !Roles.TryGetValue(roleText, out role))
        {
            throw Invalid("roster.role_invalid", Invariant(
                $"Line {line}: unknown role {Show(roleText)}. Use facilitator, rapporteur, participant or observer (or facilitateur/facilitatrice, rapporteur/rapporteuse, participant/participante, observateur/observatrice); an empty role means participant."));
        }

        var email = Cell(reader, columns, Column.Email);
        if (email is not null && !IsPlausibleEmail(email))
        {
            throw Invalid("roster.email_invalid", Invariant(
                $"Line {line}: {Show(email)} is not an email address: it needs exactly one '@' with text on both sides, no spaces, and at most {MaxEmailLength} characters. Leave it empty if unknown."));
        }

        return new RosterEntry(
            name,
            email,
            Cell(reader, columns, Column.Delegation),
            role,
            Cell(reader, columns, Column.Language),
            Cell(reader, columns, Column.Group));
    }

    /// <returns>The trimmed value, or <see langword="null"/> when the cell or its column is empty or absent.</returns>
    private static string? Cell(CsvReader reader, int[] columns, Column column)
    {
        var index = columns[(int)column];
        if (index < 0)
        {
            return null;
        }

        // CsvHelper trims spaces and tabs outside quotes; this also takes the non-breaking spaces spreadsheets leave.
        var value = reader.GetString(index).Trim();
        return value.Length == 0 ? null : value;
    }

    /// <summary>Only the shape: the workshop sends invitations, and a mail server is the real judge of an address.</summary>
    private static bool IsPlausibleEmail(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return email.Length <= MaxEmailLength
            && at > 0
            && at < email.Length - 1
            && email.IndexOf('@', at + 1) < 0
            && !email.Any(char.IsWhiteSpace);
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "a double quote inside a value that does not start with one",
        CsvMalformedReason.TextAfterClosingQuote => "text after the closing double quote of a value",
        CsvMalformedReason.UnterminatedQuote => "a double quote that is never closed",
        CsvMalformedReason.LineBreakInQuotes => "a line break inside a quoted value",
        _ => reason.ToString(),
    };

    private static string QuotingHint(char separator) => Invariant(
        $"A value that contains '{separator}', a double quote or a line break must be put in double quotes, with each double quote inside it written twice (\"\").");

    /// <summary>A value as a message quotes it: its first line, shortened.</summary>
    private static string Show(string value)
    {
        var shown = value.AsSpan();
        var lineBreak = shown.IndexOfAny('\r', '\n');
        var cut = lineBreak >= 0;
        if (cut)
        {
            shown = shown[..lineBreak];
        }

        if (shown.Length > MaxShownChars)
        {
            shown = shown[..MaxShownChars];
            cut = true;
        }

        return cut ? $"'{shown}…'" : $"'{shown}'";
    }

    private static ValidationFailedException Invalid(string code, string message) => new(code, message, Field);
}
