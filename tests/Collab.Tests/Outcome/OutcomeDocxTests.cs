using System.IO.Compression;
using Collab.Web.Outcome;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Collab.Tests.Outcome;

/// <summary>The Word export of the outcome, read back with the OpenXML SDK the way Word would see it.</summary>
public sealed class OutcomeDocxTests
{
    private static readonly string[] English = ["en"];
    private static readonly string[] French = ["fr"];
    private static readonly string[] Bilingual = ["en", "fr"];

    private static WordprocessingDocument Open(byte[] bytes) => WordprocessingDocument.Open(new MemoryStream(bytes), false);

    private static WordprocessingDocument Export(string[] languages) => Open(OutcomeDocx.Render(SampleOutcome.Create(), languages));

    private static Body Body(WordprocessingDocument document) => document.MainDocumentPart!.Document!.Body!;

    private static string? StyleOf(Paragraph paragraph) => paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;

    private static List<string> TextsIn(WordprocessingDocument document, string style) =>
        [.. Body(document).Descendants<Paragraph>().Where(p => StyleOf(p) == style).Select(p => p.InnerText)];

    private static List<Paragraph> Recommendations(WordprocessingDocument document) =>
        [.. Body(document).Descendants<Paragraph>().Where(p => p.ParagraphProperties?.NumberingProperties?.NumberingId?.Val?.Value == OutcomeDocx.RecommendationNumberingId)];

    private static List<Footnote> RealFootnotes(WordprocessingDocument document) =>
        [.. document.MainDocumentPart!.FootnotesPart!.Footnotes!.Elements<Footnote>().Where(f => f.Id!.Value > 0)];

    private static string AllText(byte[] bytes)
    {
        using var document = Open(bytes);
        return Body(document).InnerText + "\n" + document.MainDocumentPart!.FootnotesPart!.Footnotes!.InnerText;
    }

    [Fact]
    public void EnglishExportHasTheTitleAndTheFourSectionsAsWordHeadings()
    {
        using var document = Export(English);

        Assert.Equal([SampleOutcome.Title], TextsIn(document, "Title"));
        Assert.Equal(["Outcome document"], TextsIn(document, "Subtitle"));
        Assert.Equal(
            ["Participating delegations and institutions", "Sessions", "Recommendations", "Annexes"],
            TextsIn(document, "Heading1"));
        Assert.Equal(["Governance", "Capacity building", "Group 1 (Breakouts: governance)", "Plenary"], TextsIn(document, "Heading2"));
        Assert.Contains("Day 1, 09:00–10:30 — Opening plenary", TextsIn(document, "Heading3"));
        Assert.Contains("Best practices", TextsIn(document, "Heading3"));
    }

    [Fact]
    public void TitleBlockNamesVersionVenueDatesOrganisersAndFunders()
    {
        using var document = Export(English);
        var text = Body(document).InnerText;

        Assert.Contains("Version: Final, published on 27 November 2026", text);
        Assert.Contains("Venue: Cotonou, Bénin", text);
        Assert.Contains("Dates: 25–27 November 2026", text);
        Assert.Contains("Organised by: Niger Basin Authority", text);
        Assert.Contains("With funding from: Global Water Fund", text);
    }

    [Fact]
    public void FrenchExportIsInFrenchThroughout()
    {
        using var document = Export(French);

        Assert.Equal(
            ["Délégations et institutions participantes", "Sessions", "Recommandations", "Annexes"],
            TextsIn(document, "Heading1"));
        Assert.Contains("Jour 1, 09:00–10:30 — Opening plenary", TextsIn(document, "Heading3"));
        Assert.Contains("Lieu\u00A0: Cotonou, Bénin", Body(document).InnerText);
        Assert.Contains("Plénière", TextsIn(document, "Heading2"));
    }

    [Fact]
    public void BilingualExportPairsEveryLabel()
    {
        using var document = Export(Bilingual);

        Assert.Equal(
            ["Participating delegations and institutions / Délégations et institutions participantes", "Sessions", "Recommendations / Recommandations", "Annexes"],
            TextsIn(document, "Heading1"));
        Assert.Contains("Best practices / Bonnes pratiques", TextsIn(document, "Heading3"));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fr")]
    [InlineData("en", "fr")]
    public void RecommendationsAreOneNumberedListInOrderWithTheirTitles(params string[] languages)
    {
        using var document = Export(languages);

        var titles = Recommendations(document);
        Assert.Equal(
            [SampleOutcome.CooperationTitle, SampleOutcome.MonitoringTitle, SampleOutcome.TrainingTitle],
            titles.Select(p => p.Elements<Run>().First().InnerText).ToList());
        Assert.All(titles, title => Assert.Equal(0, title.ParagraphProperties!.NumberingProperties!.NumberingLevelReference!.Val!.Value));
        Assert.All(titles, title => Assert.NotNull(title.Elements<Run>().First().RunProperties?.Bold));

        // One definition, decimal, no restart between themes: Word prints 1, 2, 3 like the recommendations' numbers.
        var numbering = document.MainDocumentPart!.NumberingDefinitionsPart!.Numbering!;
        var instance = numbering.Elements<NumberingInstance>().Single(n => n.NumberID!.Value == OutcomeDocx.RecommendationNumberingId);
        Assert.Empty(instance.Elements<LevelOverride>());
        var definition = numbering.Elements<AbstractNum>().Single(a => a.AbstractNumberId!.Value == instance.AbstractNumId!.Val!.Value);
        Assert.Equal(NumberFormatValues.Decimal, definition.Elements<Level>().First().NumberingFormat!.Val!.Value);
        Assert.Single(numbering.Elements<NumberingInstance>(), n => n.AbstractNumId!.Val!.Value == definition.AbstractNumberId!.Value);
    }

    [Fact]
    public void ProvenanceBecomesFootnotesOnTheRecommendationTitle()
    {
        using var document = Export(English);

        var footnotes = RealFootnotes(document);
        Assert.Equal(
            [
                "Group 1 — Best practices (Breakouts: governance): “" + SampleOutcome.CitedPassage + "”",
                "Group 2 — Challenges (Breakouts: governance): passage since removed from the note",
                "Plenary — Closing statement: “Data should be open by default.”",
                "Group 2 — Lessons learnt (Breakouts: governance): “Staff turnover erodes skills.”",
            ],
            footnotes.Select(f => f.InnerText.Trim()).ToList());

        var references = Recommendations(document).Select(p => p.Descendants<FootnoteReference>().Select(r => r.Id!.Value).ToList()).ToList();
        Assert.Equal([[1L, 2L], [3L], [4L]], references);

        var special = document.MainDocumentPart!.FootnotesPart!.Footnotes!.Elements<Footnote>().Where(f => f.Id!.Value <= 0).ToList();
        Assert.Equal([(-1L, FootnoteEndnoteValues.Separator), (0L, FootnoteEndnoteValues.ContinuationSeparator)], special.Select(f => (f.Id!.Value, f.Type!.Value)).ToList());
    }

    [Fact]
    public void FrenchFootnotesUseTheFrenchNoteTitles()
    {
        using var document = Export(French);

        Assert.Equal("Group 1 — Bonnes pratiques (Breakouts: governance)\u00A0: “" + SampleOutcome.CitedPassage + "”", RealFootnotes(document)[0].InnerText.Trim());
        Assert.Equal("Plénière — Closing statement\u00A0: “Data should be open by default.”", RealFootnotes(document)[2].InnerText.Trim());
        Assert.Equal("Group 2 — Défis (Breakouts: governance)\u00A0: passage retiré de la note depuis", RealFootnotes(document)[1].InnerText.Trim());
    }

    [Theory]
    [InlineData("fr")]
    [InlineData("en", "fr")]
    public void FrenchTextKeepsItsAccents(params string[] languages)
    {
        using var document = Export(languages);

        Assert.Contains(SampleOutcome.CooperationFrench, Body(document).InnerText);
        Assert.Contains("procès-verbaux", Body(document).InnerText);
    }

    [Fact]
    public void FrenchExportShowsAnUntranslatedRecommendationInItsLanguageOfRecordAndSaysSo()
    {
        using var document = Export(French);
        var text = Body(document).InnerText;

        Assert.Contains("Pas encore de texte en français\u00A0: texte présenté en anglais, sa langue de référence.", text);
        Assert.Contains("Train basin officials in data management every year.", text);

        // The English text is tagged as English so Word does not spell-check it as French.
        var run = Body(document).Descendants<Run>().First(r => r.InnerText.StartsWith("Train basin officials", StringComparison.Ordinal));
        Assert.Equal("en-GB", run.RunProperties?.Languages?.Val?.Value);
    }

    [Fact]
    public void OneLanguageExportSaysWhenItsTranslationIsOutOfDate()
    {
        using var document = Export(French);

        Assert.Contains("Traduction à mettre à jour\u00A0: le texte de référence a changé depuis sa dernière traduction.", Body(document).InnerText);
    }

    [Fact]
    public void BilingualExportSetsEachRecommendationInATwoColumnTableAndMarksTheStaleCell()
    {
        using var document = Export(Bilingual);

        var tables = Body(document).Elements<Table>().ToList();
        Assert.Equal(3, tables.Count);
        Assert.All(tables, table => Assert.Equal(2, table.GetFirstChild<TableGrid>()!.Elements<GridColumn>().Count()));
        Assert.All(tables, table => Assert.All(table.Elements<TableRow>(), row => Assert.Equal(2, row.Elements<TableCell>().Count())));
        Assert.All(tables, table => Assert.Equal("TableGrid", table.GetFirstChild<TableProperties>()!.TableStyle!.Val!.Value));
        Assert.Equal(["English", "Français"], tables[0].Elements<TableRow>().First().Elements<TableCell>().Select(c => c.InnerText).ToList());

        // Each table follows its recommendation's numbered title.
        var titles = Recommendations(document);
        Assert.All(titles.Zip(tables), pair => Assert.Same(pair.First, pair.Second.PreviousSibling<Paragraph>()));

        var cooperation = tables[0].Elements<TableRow>().Last().Elements<TableCell>().ToList();
        Assert.StartsWith(SampleOutcome.CooperationEnglish, cooperation[0].InnerText);
        Assert.StartsWith(SampleOutcome.CooperationFrench, cooperation[1].InnerText);

        var monitoring = tables[1].Elements<TableRow>().Last().Elements<TableCell>().ToList();
        Assert.DoesNotContain("translation out of date", monitoring[0].InnerText);
        Assert.StartsWith("traduction à mettre à jour", monitoring[1].InnerText);
        Assert.Equal("FFF2CC", monitoring[1].TableCellProperties!.Shading!.Fill!.Value);

        var training = tables[2].Elements<TableRow>().Last().Elements<TableCell>().ToList();
        Assert.StartsWith("Pas encore de texte en français\u00A0: texte présenté en anglais", training[1].InnerText);
        Assert.EndsWith(training[0].InnerText, training[1].InnerText);
    }

    [Fact]
    public void MergesAndReservationsFollowTheirRecommendation()
    {
        using var document = Export(English);
        var text = Body(document).InnerText;

        Assert.Contains("Consolidates: Open data portal; Common indicators", text);
        Assert.Contains("Reservations:Ghana: Subject to approval of the national budget.", text);
    }

    [Fact]
    public void MarkdownEmphasisBecomesBoldAndItalicRuns()
    {
        using var document = Export(English);
        var runs = Body(document).Descendants<Run>().ToList();

        Assert.NotNull(runs.Single(r => r.InnerText == "twice a year").RunProperties?.Bold);
        Assert.NotNull(runs.Single(r => r.InnerText == "minutes").RunProperties?.Italic);
        Assert.NotNull(runs.Single(r => r.InnerText == "regularly").RunProperties?.Italic);
        Assert.NotNull(runs.Single(r => r.InnerText == "public").RunProperties?.Bold);
    }

    [Fact]
    public void MarkdownListsBecomeWordLists()
    {
        using var document = Export(English);
        var items = Body(document).Descendants<Paragraph>()
            .Where(p => p.ParagraphProperties?.NumberingProperties is not null)
            .ToDictionary(p => p.InnerText, p => p.ParagraphProperties!.NumberingProperties!.NumberingId!.Val!.Value);
        var numbering = document.MainDocumentPart!.NumberingDefinitionsPart!.Numbering!;
        NumberFormatValues FormatOf(int id)
        {
            var instance = numbering.Elements<NumberingInstance>().Single(n => n.NumberID!.Value == id);
            return numbering.Elements<AbstractNum>().Single(a => a.AbstractNumberId!.Value == instance.AbstractNumId!.Val!.Value)
                .Elements<Level>().First().NumberingFormat!.Val!.Value;
        }

        Assert.Equal(NumberFormatValues.Bullet, FormatOf(items["water levels"]));
        Assert.Equal(NumberFormatValues.Bullet, FormatOf(items["they meet regularly"]));
        Assert.Equal(NumberFormatValues.Decimal, FormatOf(items["agree on data"]));
        Assert.Equal(items["agree on data"], items["share it"]);
        Assert.NotEqual(OutcomeDocx.RecommendationNumberingId, items["agree on data"]);
    }

    [Fact]
    public void TypedOrderedListKeepsItsFirstNumberAndNestedItemsGoOneLevelDown()
    {
        using var document = Open(OutcomeDocx.Render(SampleOutcome.WithNote("3. third\n4. fourth\n   - detail\n\n> quoted *words*\n\n    code line"), English));
        var paragraphs = Body(document).Descendants<Paragraph>().ToList();
        var third = paragraphs.Single(p => p.InnerText == "third").ParagraphProperties!.NumberingProperties!;
        var detail = paragraphs.Single(p => p.InnerText == "detail").ParagraphProperties!.NumberingProperties!;

        var instance = document.MainDocumentPart!.NumberingDefinitionsPart!.Numbering!.Elements<NumberingInstance>()
            .Single(n => n.NumberID!.Value == third.NumberingId!.Val!.Value);
        Assert.Equal(3, instance.GetFirstChild<LevelOverride>()!.StartOverrideNumberingValue!.Val!.Value);
        Assert.Equal(1, detail.NumberingLevelReference!.Val!.Value);
        Assert.NotNull(paragraphs.Single(p => p.InnerText == "quoted words").Descendants<Italic>().FirstOrDefault());
        Assert.Contains(paragraphs, p => p.InnerText == "code line");
    }

    [Fact]
    public void CharactersXmlCannotCarryAreDroppedNotFatal()
    {
        using var document = Open(OutcomeDocx.Render(SampleOutcome.WithNote("bell\u0007 and form feed\u000C end"), English));

        Assert.Contains("bell and form feed end", Body(document).InnerText);
    }

    [Fact]
    public void SafeLinkBecomesAnExternalHyperlinkAndTheJavascriptLinkStaysText()
    {
        using var document = Export(English);
        var main = document.MainDocumentPart!;

        var link = Assert.Single(Body(document).Descendants<Hyperlink>());
        Assert.Equal("the portal", link.InnerText);
        var relationship = main.HyperlinkRelationships.Single(r => r.Id == link.Id!.Value);
        Assert.True(relationship.IsExternal);
        Assert.Equal(new Uri(SampleOutcome.SafeLink), relationship.Uri);

        Assert.DoesNotContain(main.HyperlinkRelationships, r => r.Uri.ToString().Contains("javascript", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(SampleOutcome.UnsafeLinkText, Body(document).InnerText);
        Assert.DoesNotContain("javascript", Body(document).InnerText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TypedHtmlStaysLiteralText()
    {
        using var document = Export(English);

        Assert.Contains(SampleOutcome.TypedScript, Body(document).InnerText);
    }

    [Theory]
    [InlineData("en", "en-GB")]
    [InlineData("fr", "fr-FR")]
    public void DocumentLanguageIsTheExportLanguage(string language, string tag)
    {
        using var document = Export([language]);

        var defaults = document.MainDocumentPart!.StyleDefinitionsPart!.Styles!.DocDefaults!.RunPropertiesDefault!.RunPropertiesBaseStyle!;
        Assert.Equal(tag, defaults.Languages!.Val!.Value);
    }

    [Fact]
    public void StylesAreWordsBuiltInOnes()
    {
        using var document = Export(English);
        var styles = document.MainDocumentPart!.StyleDefinitionsPart!.Styles!.Elements<Style>().ToDictionary(s => s.StyleId!.Value!);

        Assert.Equal("heading 1", styles["Heading1"].StyleName!.Val!.Value);
        Assert.Equal("heading 3", styles["Heading3"].StyleName!.Val!.Value);
        Assert.Equal(0, styles["Heading1"].StyleParagraphProperties!.OutlineLevel!.Val!.Value);
        Assert.Equal(2, styles["Heading3"].StyleParagraphProperties!.OutlineLevel!.Val!.Value);
        Assert.Equal("Title", styles["Title"].StyleName!.Val!.Value);
        Assert.Equal(VerticalPositionValues.Superscript, styles["FootnoteReference"].StyleRunProperties!.VerticalTextAlignment!.Val!.Value);
        Assert.Contains("ListParagraph", styles.Keys);
        Assert.Contains("FootnoteText", styles.Keys);
        Assert.NotNull(styles["TableGrid"].StyleTableProperties!.TableBorders);
    }

    [Fact]
    public void NoAdoptedRecommendationSaysSo()
    {
        using var document = Open(OutcomeDocx.Render(SampleOutcome.WithoutRecommendations(), French));

        Assert.Empty(Recommendations(document));
        Assert.Contains("Aucune recommandation n'a encore été adoptée.", Body(document).InnerText);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fr")]
    [InlineData("en", "fr")]
    public void ExportIsValidWordprocessingML(params string[] languages)
    {
        using var document = Export(languages);

        var errors = new OpenXmlValidator(FileFormatVersions.Office2019).Validate(document)
            .Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}")
            .ToList();
        Assert.Empty(errors);
    }

    [Fact]
    public void RenderingTwiceGivesTheSameDocument()
    {
        var first = OutcomeDocx.Render(SampleOutcome.Create(), Bilingual);
        var second = OutcomeDocx.Render(SampleOutcome.Create(), Bilingual);

        Assert.Equal(AllText(first), AllText(second));
        Assert.Equal(first, second);
    }

    [Fact]
    public void PackageCarriesNoClockTime()
    {
        var bytes = OutcomeDocx.Render(SampleOutcome.Create(), English);

        using (var document = Open(bytes))
        {
            Assert.Null(document.CoreFilePropertiesPart);
        }

        // Zip entries are dated by the version, not by the moment of export.
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.All(zip.Entries, entry => Assert.Equal(SampleOutcome.PublishedAt.UtcDateTime, entry.LastWriteTime.DateTime));
    }
}
