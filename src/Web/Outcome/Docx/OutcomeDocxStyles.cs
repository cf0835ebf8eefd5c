using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Collab.Web.Outcome.Docx;

/// <summary>
/// The Word styles of the outcome document. Ids and names are Word's built-in ones (<c>Heading1</c> / "heading 1"),
/// so Word's navigation pane, table of contents and "apply style" all recognise them.
/// </summary>
internal static class OutcomeDocxStyles
{
    public const string Normal = "Normal";
    public const string Title = "Title";
    public const string Subtitle = "Subtitle";
    public const string Heading1 = "Heading1";
    public const string Heading2 = "Heading2";
    public const string Heading3 = "Heading3";
    public const string ListParagraph = "ListParagraph";
    public const string FootnoteText = "FootnoteText";
    public const string FootnoteReference = "FootnoteReference";
    public const string Hyperlink = "Hyperlink";
    public const string TableGrid = "TableGrid";

    private const string BodyFont = "Calibri";
    private const string HeadingFont = "Calibri Light";
    private const string HeadingColor = "1F3864";

    /// <param name="language">The document's <c>w:lang</c> (<c>fr-FR</c>): spelling and hyphenation follow it.</param>
    public static Styles Create(string language) => new(
        new DocDefaults(
            new RunPropertiesDefault(new RunPropertiesBaseStyle
            {
                RunFonts = new RunFonts { Ascii = BodyFont, HighAnsi = BodyFont, EastAsia = BodyFont, ComplexScript = BodyFont },
                FontSize = new FontSize { Val = "22" },
                FontSizeComplexScript = new FontSizeComplexScript { Val = "22" },
                Languages = new Languages { Val = language },
            }),
            new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle
            {
                SpacingBetweenLines = new SpacingBetweenLines { After = "120", Line = "264", LineRule = LineSpacingRuleValues.Auto },
            })),
        Paragraph(Normal, "Normal", basedOn: null, isDefault: true),
        Paragraph(
            Title,
            "Title",
            paragraph: new StyleParagraphProperties
            {
                SpacingBetweenLines = new SpacingBetweenLines { After = "120", Line = "240", LineRule = LineSpacingRuleValues.Auto },
                ContextualSpacing = new ContextualSpacing(),
            },
            run: Run(HeadingFont, 52, HeadingColor)),
        Paragraph(
            Subtitle,
            "Subtitle",
            paragraph: new StyleParagraphProperties { SpacingBetweenLines = new SpacingBetweenLines { After = "240" } },
            run: Run(HeadingFont, 28, "595959")),
        Heading(Heading1, "heading 1", level: 0, size: 32, before: 360),
        Heading(Heading2, "heading 2", level: 1, size: 26, before: 240),
        Heading(Heading3, "heading 3", level: 2, size: 24, before: 200),
        Paragraph(
            ListParagraph,
            "List Paragraph",
            paragraph: new StyleParagraphProperties
            {
                Indentation = new Indentation { Left = "720" },
                ContextualSpacing = new ContextualSpacing(),
            }),
        Paragraph(
            FootnoteText,
            "footnote text",
            paragraph: new StyleParagraphProperties
            {
                SpacingBetweenLines = new SpacingBetweenLines { After = "0", Line = "240", LineRule = LineSpacingRuleValues.Auto },
            },
            run: new StyleRunProperties { FontSize = new FontSize { Val = "18" }, FontSizeComplexScript = new FontSizeComplexScript { Val = "18" } }),
        Character(
            "DefaultParagraphFont",
            "Default Paragraph Font",
            run: null,
            isDefault: true),
        Character(
            FootnoteReference,
            "footnote reference",
            new StyleRunProperties { VerticalTextAlignment = new VerticalTextAlignment { Val = VerticalPositionValues.Superscript } }),
        Character(
            Hyperlink,
            "Hyperlink",
            new StyleRunProperties { Color = new Color { Val = "0563C1" }, Underline = new Underline { Val = UnderlineValues.Single } }),
        TableNormal(),
        Grid());

    private static Style Paragraph(
        string id,
        string name,
        string? basedOn = Normal,
        bool isDefault = false,
        StyleParagraphProperties? paragraph = null,
        StyleRunProperties? run = null)
    {
        var style = new Style { Type = StyleValues.Paragraph, StyleId = id };
        if (isDefault)
        {
            style.Default = true;
        }

        // Children in schema order: name, basedOn, next, uiPriority, qFormat, pPr, rPr.
        style.Append(new StyleName { Val = name });
        if (basedOn is not null)
        {
            style.Append(new BasedOn { Val = basedOn }, new NextParagraphStyle { Val = Normal });
        }

        style.Append(new PrimaryStyle());
        if (paragraph is not null)
        {
            style.Append(paragraph);
        }

        if (run is not null)
        {
            style.Append(run);
        }

        return style;
    }

    private static Style Heading(string id, string name, int level, int size, int before) => Paragraph(
        id,
        name,
        paragraph: new StyleParagraphProperties
        {
            KeepNext = new KeepNext(),
            KeepLines = new KeepLines(),
            SpacingBetweenLines = new SpacingBetweenLines { Before = before.ToString(CultureInfo.InvariantCulture), After = "80" },
            OutlineLevel = new OutlineLevel { Val = level },
        },
        run: Run(HeadingFont, size, HeadingColor, bold: level > 0));

    private static StyleRunProperties Run(string font, int halfPoints, string color, bool bold = false)
    {
        var size = halfPoints.ToString(CultureInfo.InvariantCulture);
        return new StyleRunProperties
        {
            RunFonts = new RunFonts { Ascii = font, HighAnsi = font, EastAsia = font, ComplexScript = font },
            Bold = bold ? new Bold() : null,
            Color = new Color { Val = color },
            FontSize = new FontSize { Val = size },
            FontSizeComplexScript = new FontSizeComplexScript { Val = size },
        };
    }

    private static Style Character(string id, string name, StyleRunProperties? run, bool isDefault = false)
    {
        var style = new Style { Type = StyleValues.Character, StyleId = id };
        if (isDefault)
        {
            style.Default = true;
        }

        style.Append(new StyleName { Val = name });
        if (!isDefault)
        {
            style.Append(new BasedOn { Val = "DefaultParagraphFont" });
        }

        if (run is not null)
        {
            style.Append(run);
        }

        return style;
    }

    private static Style TableNormal() => new(
        new StyleName { Val = "Normal Table" },
        new StyleTableProperties(
            new TableIndentation { Width = 0, Type = TableWidthUnitValues.Dxa },
            new TableCellMarginDefault(
                new TopMargin { Width = "0", Type = TableWidthUnitValues.Dxa },
                new TableCellLeftMargin { Width = 108, Type = TableWidthValues.Dxa },
                new BottomMargin { Width = "0", Type = TableWidthUnitValues.Dxa },
                new TableCellRightMargin { Width = 108, Type = TableWidthValues.Dxa })))
    {
        Type = StyleValues.Table,
        StyleId = "TableNormal",
        Default = true,
    };

    /// <summary>Single borders all round and between cells: the bilingual columns read as a side-by-side grid.</summary>
    private static Style Grid()
    {
        BorderType Line<TBorder>()
            where TBorder : BorderType, new() => new TBorder { Val = BorderValues.Single, Size = 4, Space = 0, Color = "auto" };

        return new Style(
            new StyleName { Val = "Table Grid" },
            new BasedOn { Val = "TableNormal" },
            new StyleParagraphProperties { SpacingBetweenLines = new SpacingBetweenLines { After = "60" } },
            new StyleTableProperties(
                new TableBorders(
                    Line<TopBorder>(),
                    Line<LeftBorder>(),
                    Line<BottomBorder>(),
                    Line<RightBorder>(),
                    Line<InsideHorizontalBorder>(),
                    Line<InsideVerticalBorder>()),
                new TableCellMarginDefault(
                    new TopMargin { Width = "60", Type = TableWidthUnitValues.Dxa },
                    new TableCellLeftMargin { Width = 108, Type = TableWidthValues.Dxa },
                    new BottomMargin { Width = "60", Type = TableWidthUnitValues.Dxa },
                    new TableCellRightMargin { Width = 108, Type = TableWidthValues.Dxa })))
        {
            Type = StyleValues.Table,
            StyleId = TableGrid,
        };
    }
}
