using System.Globalization;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Collab.Web.Outcome.Docx;

/// <summary>Run formatting carried down the Markdown inline tree and used for the labels around it.</summary>
/// <param name="Language">A <c>w:lang</c> tag for text not in the document's language; null for the document's own.</param>
internal readonly record struct DocxFormat(
    bool Bold = false,
    bool Italic = false,
    bool Strike = false,
    bool Underline = false,
    bool Code = false,
    bool Superscript = false,
    bool Subscript = false,
    bool Highlight = false,
    bool Link = false,
    string? Color = null,
    string? Language = null);

/// <summary>Runs and paragraphs from plain strings, safe for whatever a participant typed.</summary>
internal static class DocxRuns
{
    public const string CodeFont = "Consolas";

    public static Run Run(string text, DocxFormat format = default)
    {
        var run = new Run();
        if (Properties(format) is { } properties)
        {
            run.Append(properties);
        }

        AppendText(run, text);
        return run;
    }

    /// <summary>A paragraph with a style (null for Normal) and content.</summary>
    public static Paragraph Paragraph(string? style, IEnumerable<OpenXmlElement> content, ParagraphProperties? properties = null)
    {
        properties ??= new ParagraphProperties();
        if (style is not null)
        {
            properties.ParagraphStyleId = new ParagraphStyleId { Val = style };
        }

        var paragraph = new Paragraph();
        if (properties.HasChildren)
        {
            paragraph.Append(properties);
        }

        paragraph.Append(content);
        return paragraph;
    }

    public static Paragraph Paragraph(string? style, params OpenXmlElement[] content) => Paragraph(style, (IEnumerable<OpenXmlElement>)content);

    /// <summary>Left indentation in twips (a hanging indent for list items, so wrapped lines align with the text).</summary>
    public static Indentation Indent(int left, int hanging = 0) => hanging > 0
        ? new Indentation { Left = left.ToString(CultureInfo.InvariantCulture), Hanging = hanging.ToString(CultureInfo.InvariantCulture) }
        : new Indentation { Left = left.ToString(CultureInfo.InvariantCulture) };

    private static RunProperties? Properties(DocxFormat format)
    {
        if (format == default)
        {
            return null;
        }

        // Typed properties rather than Append: the SDK then writes the children in the order the schema requires.
        var properties = new RunProperties();
        if (format.Link)
        {
            properties.RunStyle = new RunStyle { Val = OutcomeDocxStyles.Hyperlink };
        }

        if (format.Code)
        {
            properties.RunFonts = new RunFonts { Ascii = CodeFont, HighAnsi = CodeFont, ComplexScript = CodeFont };
        }

        if (format.Bold)
        {
            properties.Bold = new Bold();
        }

        if (format.Italic)
        {
            properties.Italic = new Italic();
        }

        if (format.Strike)
        {
            properties.Strike = new Strike();
        }

        if (format.Color is { } color)
        {
            properties.Color = new Color { Val = color };
        }

        if (format.Highlight)
        {
            properties.Highlight = new Highlight { Val = HighlightColorValues.Yellow };
        }

        if (format.Underline)
        {
            properties.Underline = new Underline { Val = UnderlineValues.Single };
        }

        if (format.Superscript || format.Subscript)
        {
            properties.VerticalTextAlignment = new VerticalTextAlignment
            {
                Val = format.Superscript ? VerticalPositionValues.Superscript : VerticalPositionValues.Subscript,
            };
        }

        if (format.Language is { } language)
        {
            properties.Languages = new Languages { Val = language };
        }

        return properties;
    }

    /// <summary>Text with tabs and line breaks as Word elements; characters XML cannot carry are dropped rather than failing the export.</summary>
    private static void AppendText(Run run, string text)
    {
        var lines = Clean(text).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var line = 0; line < lines.Length; line++)
        {
            if (line > 0)
            {
                run.Append(new Break());
            }

            var pieces = lines[line].Split('\t');
            for (var piece = 0; piece < pieces.Length; piece++)
            {
                if (piece > 0)
                {
                    run.Append(new TabChar());
                }

                if (pieces[piece].Length > 0)
                {
                    run.Append(new DocumentFormat.OpenXml.Wordprocessing.Text(pieces[piece]) { Space = SpaceProcessingModeValues.Preserve });
                }
            }
        }
    }

    private static string Clean(string text)
    {
        if (IsClean(text))
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(text[i]).Append(text[i + 1]);
                i++;
            }
            else if (XmlConvert.IsXmlChar(text[i]))
            {
                clean.Append(text[i]);
            }
        }

        return clean.ToString();
    }

    private static bool IsClean(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (!XmlConvert.IsXmlChar(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
