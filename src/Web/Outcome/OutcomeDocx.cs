using System.Globalization;
using System.IO.Compression;
using Collab.Outcome;
using Collab.Web.Outcome.Docx;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Collab.Web.Outcome;

/// <summary>
/// The outcome document as a Word file: title block, participating delegations, sessions, the adopted recommendations
/// as one numbered list (their provenance as footnotes) and the annexes of notes. Built with real Word styles,
/// numbering and footnotes so the document stays editable. Deterministic: the same outcome in the same languages gives
/// the same bytes, whenever and wherever it is exported.
/// </summary>
public static class OutcomeDocx
{
    /// <summary>The media type of a .docx file.</summary>
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// <summary>The <c>w:numId</c> of the recommendations' numbered list (one list across all themes).</summary>
    public const int RecommendationNumberingId = 1;

    private const int BulletNumberingId = 2;

    private const string MainContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";

    // A4 portrait, 2.54 cm margins, in twips.
    private const int PageWidth = 11906;
    private const int PageHeight = 16838;
    private const int Margin = 1440;
    private const int TextWidth = PageWidth - (2 * Margin);

    /// <summary>What follows a recommendation's number lines up with its title.</summary>
    private const int BodyIndent = DocxNumbering.LevelIndent;

    private const string NoteColor = "C45911";
    private const string StaleFill = "FFF2CC";

    /// <summary>Renders <paramref name="outcome"/> as a .docx file.</summary>
    /// <param name="languages">
    /// One language (everything in it; a recommendation without text in it shows its text of record and says so) or
    /// two (bilingual: labels in both, each recommendation as a two-column table, one column per language).
    /// </param>
    /// <exception cref="ArgumentException">No language, more than two, or the same one twice.</exception>
    public static byte[] Render(OutcomeDocument outcome, IReadOnlyList<string> languages)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(languages);
        if (languages.Count is < 1 or > 2
            || languages.Any(string.IsNullOrWhiteSpace)
            || (languages.Count == 2 && languages[0].Equals(languages[1], StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("An outcome is exported in one language, or in two different languages side by side.", nameof(languages));
        }

        using var package = new MemoryStream();
        using (var document = WordprocessingDocument.Create(package, WordprocessingDocumentType.Document))
        {
            new Writer(document, outcome, languages).Write();
        }

        return Repack(package.ToArray(), outcome.AsOf);
    }

    /// <summary>
    /// The package again with every entry dated <paramref name="asOf"/>: the zip writer stamps entries with the clock,
    /// which would make two exports of the same version differ by their bytes.
    /// </summary>
    private static byte[] Repack(byte[] package, DateTimeOffset asOf)
    {
        // Zip (DOS) dates run from 1980 to 2107.
        var utc = asOf.UtcDateTime;
        var stamp = new DateTimeOffset(
            utc.Year < 1980 ? new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc) : utc.Year > 2107 ? new DateTime(2107, 12, 31, 0, 0, 0, DateTimeKind.Utc) : utc,
            TimeSpan.Zero);
        using var input = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var copy = zip.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = stamp;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    /// <summary>The <c>w:lang</c> of a language tag: <c>fr</c> → <c>fr-FR</c>, <c>en</c> → <c>en-GB</c>, others as given.</summary>
    private static string Tag(string language)
    {
        var labels = OutcomeLabels.For(language);
        return language.Equals(labels.Language, StringComparison.OrdinalIgnoreCase) ? labels.Culture.Name : language;
    }

    private static string Twips(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One export: the parts under construction and the counters (footnotes, lists, links) that number them.</summary>
    private sealed class Writer
    {
        private readonly MainDocumentPart _main;
        private readonly OutcomeDocument _outcome;
        private readonly IReadOnlyList<string> _languages;
        private readonly IReadOnlyList<OutcomeLabels> _labels;
        private readonly OutcomeEdition _edition;
        private readonly string _documentLanguage;
        private readonly DocxNumbering _numbering = new(RecommendationNumberingId, BulletNumberingId);
        private readonly DocxMarkdown _markdown;
        private readonly Body _body = new();
        private readonly List<Footnote> _footnotes = [];
        private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
        private int _recommendationList = RecommendationNumberingId;
        private int _nextNumber = 1;

        public Writer(WordprocessingDocument document, OutcomeDocument outcome, IReadOnlyList<string> languages)
        {
            // Explicit relationship ids here and below: generated ones are random, and the same version must export to
            // the same bytes.
            _main = document.AddNewPart<MainDocumentPart>(MainContentType, "rIdDocument");
            _outcome = outcome;
            _languages = languages;
            _labels = [.. languages.Select(OutcomeLabels.For)];
            _edition = OutcomeEdition.Of(languages);
            _documentLanguage = Tag(languages[0]);
            _markdown = new DocxMarkdown(_numbering, Hyperlink);
        }

        private OutcomeLabels First => _labels[0];

        private bool Bilingual => _languages.Count == 2;

        public void Write()
        {
            Header();
            Delegations();
            Sessions();
            Recommendations();
            Annexes();
            _body.Append(new SectionProperties(
                new PageSize { Width = PageWidth, Height = PageHeight },
                new PageMargin { Top = Margin, Right = Margin, Bottom = Margin, Left = Margin, Header = 708, Footer = 708, Gutter = 0 }));
            _main.Document = new Document(_body);

            _main.AddNewPart<StyleDefinitionsPart>("rIdStyles").Styles = OutcomeDocxStyles.Create(_documentLanguage);
            _main.AddNewPart<NumberingDefinitionsPart>("rIdNumbering").Numbering = _numbering.Create();
            _main.AddNewPart<FootnotesPart>("rIdFootnotes").Footnotes = Footnotes();
            _main.AddNewPart<DocumentSettingsPart>("rIdSettings").Settings = Settings();
        }

        private void Header()
        {
            Add(OutcomeDocxStyles.Title, DocxRuns.Run(_outcome.Title));
            Add(OutcomeDocxStyles.Subtitle, Label(labels => labels.OutcomeDocument));
            Sentences(labels => labels.VersionLine(_outcome), new DocxFormat(Italic: true));
            if (!string.IsNullOrWhiteSpace(_outcome.Venue))
            {
                Field(labels => labels.Venue, [DocxRuns.Run(_outcome.Venue)]);
            }

            Field(labels => labels.Dates, Label(labels => labels.DateRange(_outcome.StartsOn, _outcome.EndsOn)));
            if (_outcome.Organisers.Count > 0)
            {
                Field(labels => labels.Organisers, [DocxRuns.Run(string.Join(", ", _outcome.Organisers))]);
            }

            if (_outcome.Funders.Count > 0)
            {
                Field(labels => labels.Funders, [DocxRuns.Run(string.Join(", ", _outcome.Funders))]);
            }
        }

        private void Delegations()
        {
            Add(OutcomeDocxStyles.Heading1, Label(labels => labels.Participants));
            if (_outcome.Delegations.Count == 0)
            {
                Sentences(labels => labels.Empty, new DocxFormat(Italic: true));
            }

            foreach (var delegation in _outcome.Delegations)
            {
                _body.Append(Bullet(BodyIndent, DocxRuns.Run(_edition.Name(delegation.Name, delegation.Names))));
            }
        }

        private void Sessions()
        {
            Add(OutcomeDocxStyles.Heading1, Label(labels => labels.Sessions));
            if (_outcome.Sessions.Count == 0)
            {
                Sentences(labels => labels.Empty, new DocxFormat(Italic: true));
            }

            foreach (var session in _outcome.Sessions)
            {
                var times = session.StartsAt is { } start
                    ? ", " + First.Time(start) + (session.EndsAt is { } end ? "–" + First.Time(end) : "")
                    : "";
                var heading = Label(labels => $"{labels.Day} {session.Day}");
                heading.Add(DocxRuns.Run(times + " — " + _edition.Name(session.Title, session.Titles)));
                Add(OutcomeDocxStyles.Heading3, heading);
                Sentences(labels => labels.SessionSummary(session));
            }
        }

        private void Recommendations()
        {
            Add(OutcomeDocxStyles.Heading1, Label(labels => labels.Recommendations));
            var themes = _outcome.Themes.Where(theme => theme.Recommendations.Count > 0).ToList();
            if (themes.Count == 0)
            {
                Sentences(labels => labels.NoRecommendations, new DocxFormat(Italic: true));
                return;
            }

            foreach (var theme in themes)
            {
                Add(OutcomeDocxStyles.Heading2, Label(labels => labels.Theme(theme)));
                foreach (var recommendation in theme.Recommendations)
                {
                    Recommendation(recommendation);
                }
            }
        }

        private void Recommendation(OutcomeRecommendation recommendation)
        {
            // Word counts the paragraphs of one list; a gap in the numbers (never expected) restarts the list so the
            // printed number is still the recommendation's number.
            if (recommendation.Number != _nextNumber)
            {
                _recommendationList = _numbering.RecommendationsFrom(recommendation.Number);
            }

            _nextNumber = recommendation.Number + 1;

            var title = new List<OpenXmlElement> { DocxRuns.Run(_edition.Name(recommendation.Title, recommendation.Titles), new DocxFormat(Bold: true)) };
            title.AddRange(FootnoteReferences(recommendation.Provenance));
            _body.Append(DocxRuns.Paragraph(OutcomeDocxStyles.ListParagraph, title, new ParagraphProperties
            {
                KeepNext = new KeepNext(),
                NumberingProperties = new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = _recommendationList }),
                SpacingBetweenLines = new SpacingBetweenLines { Before = "240" },
                Indentation = DocxRuns.Indent(BodyIndent, DocxNumbering.LevelIndent),
            }));

            if (Bilingual)
            {
                _body.Append(SideBySide(recommendation));
            }
            else
            {
                OneLanguage(recommendation);
            }

            if (recommendation.MergedFrom.Count > 0)
            {
                var merged = Label(labels => labels.MergedFrom, new DocxFormat(Italic: true));
                merged.Add(DocxRuns.Run(First.Colon + " " + string.Join("; ", recommendation.MergedFrom), new DocxFormat(Italic: true)));
                _body.Append(DocxRuns.Paragraph(null, merged, Indented(BodyIndent)));
            }

            if (recommendation.Reservations.Count > 0)
            {
                var heading = Label(labels => labels.Reservations, new DocxFormat(Bold: true));
                heading.Add(DocxRuns.Run(First.Colon, new DocxFormat(Bold: true)));
                var properties = Indented(BodyIndent);
                properties.KeepNext = new KeepNext();
                _body.Append(DocxRuns.Paragraph(null, heading, properties));
                foreach (var reservation in recommendation.Reservations)
                {
                    _body.Append(Bullet(
                        BodyIndent + DocxNumbering.LevelIndent,
                        DocxRuns.Run(reservation.Voter, new DocxFormat(Bold: true)),
                        DocxRuns.Run(First.Colon + " " + reservation.Text)));
                }
            }
        }

        /// <summary>The text in the export's language, else the text of record with a line saying why.</summary>
        private void OneLanguage(OutcomeRecommendation recommendation)
        {
            var language = _languages[0];
            var text = OutcomeEdition.TextIn(recommendation, language);
            if (text.Fallback)
            {
                _body.Append(Note(First.NotTranslated(language, text.Language), colored: true));
            }
            else if (text.Stale)
            {
                _body.Append(Note(First.StaleTranslation, colored: true));
            }

            _body.Append(UserText(text.Text, BodyIndent, text.Language, First));
        }

        /// <summary>A two-column table, one column per language, the stale column marked in its own language.</summary>
        private Table SideBySide(OutcomeRecommendation recommendation)
        {
            var width = TextWidth - BodyIndent;
            var column = width / 2;
            var table = new Table(
                new TableProperties
                {
                    TableStyle = new TableStyle { Val = OutcomeDocxStyles.TableGrid },
                    TableWidth = new TableWidth { Width = Twips(width), Type = TableWidthUnitValues.Dxa },
                    TableIndentation = new TableIndentation { Width = BodyIndent, Type = TableWidthUnitValues.Dxa },
                    TableLayout = new TableLayout { Type = TableLayoutValues.Fixed },
                },
                new TableGrid(new GridColumn { Width = Twips(column) }, new GridColumn { Width = Twips(column) }));

            var header = new TableRow(new TableRowProperties(new CantSplit(), new TableHeader()));
            var texts = new TableRow(new TableRowProperties(new CantSplit()));
            for (var i = 0; i < _languages.Count; i++)
            {
                var labels = _labels[i];
                var name = DocxRuns.Run(labels.NameOf(_languages[i]), new DocxFormat(Bold: true, Language: Lang(labels.Culture.Name)));
                header.Append(Cell(column, fill: null, [DocxRuns.Paragraph(null, name)]));

                var content = new List<OpenXmlElement>();
                var text = OutcomeEdition.TextIn(recommendation, _languages[i]);
                if (text.Fallback)
                {
                    content.Add(DocxRuns.Paragraph(null, DocxRuns.Run(labels.NotTranslated(_languages[i], text.Language), new DocxFormat(Bold: true, Color: NoteColor, Language: Lang(labels.Culture.Name)))));
                }
                else if (text.Stale)
                {
                    content.Add(DocxRuns.Paragraph(null, DocxRuns.Run(labels.StaleShort, new DocxFormat(Bold: true, Color: NoteColor, Language: Lang(labels.Culture.Name)))));
                }

                content.AddRange(UserText(text.Text, 0, text.Language, labels));

                texts.Append(Cell(column, text.Stale || text.Fallback ? StaleFill : null, content));
            }

            table.Append(header, texts);
            return table;
        }

        private static TableCell Cell(int width, string? fill, IEnumerable<OpenXmlElement> content)
        {
            var properties = new TableCellProperties { TableCellWidth = new TableCellWidth { Width = Twips(width), Type = TableWidthUnitValues.Dxa } };
            if (fill is not null)
            {
                properties.Shading = new Shading { Val = ShadingPatternValues.Clear, Color = "auto", Fill = fill };
            }

            var cell = new TableCell(properties);
            cell.Append(content);

            // A cell must end with a paragraph, even an empty one.
            if (cell.LastChild is not Paragraph)
            {
                cell.Append(new Paragraph());
            }

            return cell;
        }

        private void Annexes()
        {
            if (_outcome.Annexes.Count == 0)
            {
                return;
            }

            Add(OutcomeDocxStyles.Heading1, Label(labels => labels.Annexes));
            foreach (var annex in _outcome.Annexes)
            {
                Add(OutcomeDocxStyles.Heading2, Label(labels => labels.AnnexTitle(annex)));
                foreach (var note in annex.Notes)
                {
                    var titles = _languages.Select(note.Title.In).Where(title => title.Length > 0).Distinct(StringComparer.Ordinal).ToList();
                    Add(OutcomeDocxStyles.Heading3, titles.Count > 0 ? [DocxRuns.Run(string.Join(" / ", titles))] : Label(labels => labels.Empty));

                    // A note is written in whatever language its group worked in, which the outcome does not record.
                    _body.Append(UserText(note.Text, 0, language: null, First));
                }
            }
        }

        /// <summary>Participant Markdown, or "(empty)" when there is nothing to render.</summary>
        private IEnumerable<OpenXmlElement> UserText(string markdown, int indent, string? language, OutcomeLabels labels)
        {
            var tag = language is null ? null : Lang(Tag(language));
            var blocks = string.IsNullOrWhiteSpace(markdown) ? [] : _markdown.Render(markdown, indent, tag);
            return blocks.Count > 0 ? blocks : [Note(labels.Empty, colored: false, indent, Lang(labels.Culture.Name))];
        }

        /// <summary>One run per label language, tagged with it: "Recommendations / Recommandations"; identical words once.</summary>
        private List<OpenXmlElement> Label(Func<OutcomeLabels, string> pick, DocxFormat format = default)
        {
            var runs = new List<OpenXmlElement>();
            var seen = new List<string>();
            foreach (var labels in _labels)
            {
                var text = pick(labels);
                if (seen.Contains(text, StringComparer.Ordinal))
                {
                    continue;
                }

                if (seen.Count > 0)
                {
                    runs.Add(DocxRuns.Run(" / ", format));
                }

                seen.Add(text);
                runs.Add(DocxRuns.Run(text, format with { Language = Lang(labels.Culture.Name) }));
            }

            return runs;
        }

        /// <summary>A sentence the labels write: one paragraph per language (once when they read the same).</summary>
        private void Sentences(Func<OutcomeLabels, string> pick, DocxFormat format = default)
        {
            foreach (var labels in _labels.DistinctBy(pick))
            {
                _body.Append(DocxRuns.Paragraph(null, DocxRuns.Run(pick(labels), format with { Language = Lang(labels.Culture.Name) })));
            }
        }

        /// <summary>"Venue: Geneva", the label in bold.</summary>
        private void Field(Func<OutcomeLabels, string> label, List<OpenXmlElement> value)
        {
            var content = Label(label, new DocxFormat(Bold: true));
            content.Add(DocxRuns.Run(First.Colon + " "));
            content.AddRange(value);
            _body.Append(DocxRuns.Paragraph(null, content, new ParagraphProperties { SpacingBetweenLines = new SpacingBetweenLines { After = "40" } }));
        }

        private void Add(string style, params OpenXmlElement[] content) => _body.Append(DocxRuns.Paragraph(style, content));

        private void Add(string style, List<OpenXmlElement> content) => _body.Append(DocxRuns.Paragraph(style, content));

        private Paragraph Bullet(int indent, params OpenXmlElement[] content) => DocxRuns.Paragraph(
            OutcomeDocxStyles.ListParagraph,
            content,
            new ParagraphProperties
            {
                NumberingProperties = new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = _numbering.BulletsId }),
                Indentation = DocxRuns.Indent(indent, DocxNumbering.LevelIndent),
            });

        private Paragraph Note(string text, bool colored, int indent = BodyIndent, string? language = null) => DocxRuns.Paragraph(
            null,
            [DocxRuns.Run(text, new DocxFormat(Italic: true, Color: colored ? NoteColor : null, Language: language))],
            Indented(indent));

        private static ParagraphProperties Indented(int indent) =>
            indent > 0 ? new ParagraphProperties { Indentation = DocxRuns.Indent(indent) } : new ParagraphProperties();

        /// <summary>A run's <c>w:lang</c>: none when it is the document's own.</summary>
        private string? Lang(string tag) => tag.Equals(_documentLanguage, StringComparison.OrdinalIgnoreCase) ? null : tag;

        /// <summary>One footnote per source, referenced after the title: "Group 2 — Best practices: “passage”".</summary>
        private List<OpenXmlElement> FootnoteReferences(IReadOnlyList<OutcomeSource> sources)
        {
            var references = new List<OpenXmlElement>();
            foreach (var source in sources)
            {
                // Word numbers footnotes from 1; -1 and 0 are its separators.
                var id = _footnotes.Count + 1;
                var content = new List<OpenXmlElement>
                {
                    new Run(new RunProperties { RunStyle = new RunStyle { Val = OutcomeDocxStyles.FootnoteReference } }, new FootnoteReferenceMark()),
                    DocxRuns.Run(" "),
                };
                content.Add(DocxRuns.Run(OutcomeMarkdown.SourceNote(_edition, source)));

                _footnotes.Add(new Footnote(DocxRuns.Paragraph(OutcomeDocxStyles.FootnoteText, content)) { Id = id });

                // Adjacent references would read as one number ("12"); a superscript comma keeps them apart.
                if (references.Count > 0)
                {
                    references.Add(DocxRuns.Run(",", new DocxFormat(Superscript: true)));
                }

                references.Add(new Run(
                    new RunProperties { RunStyle = new RunStyle { Val = OutcomeDocxStyles.FootnoteReference } },
                    new FootnoteReference { Id = id }));
            }

            return references;
        }

        /// <summary>The footnotes part: Word expects its separator (-1) and continuation separator (0) before the notes.</summary>
        private Footnotes Footnotes()
        {
            var noSpace = new SpacingBetweenLines { After = "0", Line = "240", LineRule = LineSpacingRuleValues.Auto };
            var footnotes = new Footnotes(
                new Footnote(DocxRuns.Paragraph(null, [new Run(new SeparatorMark())], new ParagraphProperties { SpacingBetweenLines = (SpacingBetweenLines)noSpace.CloneNode(true) }))
                {
                    Type = FootnoteEndnoteValues.Separator,
                    Id = -1,
                },
                new Footnote(DocxRuns.Paragraph(null, [new Run(new ContinuationSeparatorMark())], new ParagraphProperties { SpacingBetweenLines = noSpace }))
                {
                    Type = FootnoteEndnoteValues.ContinuationSeparator,
                    Id = 0,
                });
            footnotes.Append(_footnotes);
            return footnotes;
        }

        private static Settings Settings() => new(
            new DefaultTabStop { Val = 720 },
            new CharacterSpacingControl { Val = CharacterSpacingValues.DoNotCompress },
            new FootnoteDocumentWideProperties(new FootnoteSpecialReference { Id = -1 }, new FootnoteSpecialReference { Id = 0 }),
            new Compatibility(new CompatibilitySetting
            {
                Name = CompatSettingNameValues.CompatibilityMode,
                Uri = "http://schemas.microsoft.com/office/word",
                Val = "15",
            }));

        /// <summary>One relationship per distinct target, numbered in order of appearance.</summary>
        private string Hyperlink(Uri target)
        {
            // Keyed by the full text: Uri equality ignores the fragment, and two anchors of one page are two targets.
            if (!_links.TryGetValue(target.AbsoluteUri, out var id))
            {
                id = "rIdLink" + (_links.Count + 1).ToString(CultureInfo.InvariantCulture);
                _main.AddHyperlinkRelationship(target, true, id);
                _links.Add(target.AbsoluteUri, id);
            }

            return id;
        }
    }
}
