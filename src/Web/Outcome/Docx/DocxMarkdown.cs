using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Collab.Web.Outcome.Docx;

/// <summary>
/// What a participant typed, as Word paragraphs: reads the tree of <see cref="UserMarkdown"/> (the pipeline the HTML
/// export reads) and never its HTML, so nothing typed can reach the document as markup. Links become hyperlinks only
/// for the schemes <see cref="UserMarkdown.IsSafeLink"/> accepts; the others keep their words and lose their target.
/// </summary>
/// <param name="hyperlink">Registers an external target on the main part and returns its relationship id.</param>
internal sealed class DocxMarkdown(DocxNumbering numbering, Func<Uri, string> hyperlink)
{
    private const int QuoteIndent = 360;

    /// <summary>Block elements of <paramref name="markdown"/>.</summary>
    /// <param name="indent">Left indentation in twips of the text's own paragraphs (lists indent from there).</param>
    /// <param name="language">The <c>w:lang</c> of the text when it is not in the document's language.</param>
    public IReadOnlyList<OpenXmlElement> Render(string markdown, int indent, string? language)
    {
        var output = new List<OpenXmlElement>();
        var scope = new Scope(indent, 0, new DocxFormat(Language: language));
        foreach (var block in UserMarkdown.Parse(markdown))
        {
            Block(block, scope, output);
        }

        return output;
    }

    private void Block(Block block, Scope scope, List<OpenXmlElement> output)
    {
        switch (block)
        {
            case ParagraphBlock paragraph:
                output.Add(Paragraph(scope, Inlines(paragraph.Inline, scope.Format)));
                break;
            case HeadingBlock heading:
                // A typed heading is emphasis inside a note, not a section of the outcome: it stays out of the outline.
                output.Add(Paragraph(scope, Inlines(heading.Inline, scope.Format with { Bold = true }), new ParagraphProperties { KeepNext = new KeepNext() }));
                break;
            case ListBlock list:
                List(list, scope, output);
                break;
            case QuoteBlock quote:
                var quoted = scope with { Indent = scope.Indent + QuoteIndent, Format = scope.Format with { Italic = true } };
                foreach (var child in quote)
                {
                    Block(child, quoted, output);
                }

                break;
            case CodeBlock code:
                output.Add(Paragraph(scope, [DocxRuns.Run(code.Lines.ToString(), scope.Format with { Code = true })]));
                break;
            case ThematicBreakBlock:
                output.Add(Paragraph(scope, [], new ParagraphProperties
                {
                    ParagraphBorders = new ParagraphBorders(new BottomBorder { Val = BorderValues.Single, Size = 6, Space = 1, Color = "auto" }),
                }));
                break;
            case HtmlBlock html:
                // The pipeline disables HTML, so this is unreachable today; were it reached, the markup stays visible text.
                output.Add(Paragraph(scope, [DocxRuns.Run(html.Lines.ToString(), scope.Format)]));
                break;
            case LinkReferenceDefinitionGroup:
                break;
            case ContainerBlock container:
                foreach (var child in container)
                {
                    Block(child, scope, output);
                }

                break;
            case LeafBlock leaf:
                output.Add(Paragraph(scope, leaf.Inline is { } inline ? Inlines(inline, scope.Format) : [DocxRuns.Run(leaf.Lines.ToString(), scope.Format)]));
                break;
        }
    }

    private void List(ListBlock list, Scope scope, List<OpenXmlElement> output)
    {
        var level = Math.Min(scope.Level, DocxNumbering.MaxLevel);
        var id = list.IsOrdered
            ? numbering.Ordered(level, int.TryParse(list.OrderedStart, out var start) && start >= 0 ? start : 1)
            : numbering.BulletsId;
        var inner = scope with { Indent = scope.Indent + DocxNumbering.LevelIndent, Level = scope.Level + 1 };
        foreach (var item in list.OfType<ListItemBlock>())
        {
            var numbered = false;
            foreach (var child in item)
            {
                if (!numbered)
                {
                    numbered = true;
                    var first = child as ParagraphBlock;
                    output.Add(Item(inner.Indent, level, id, first is null ? [] : Inlines(first.Inline, scope.Format)));
                    if (first is not null)
                    {
                        continue;
                    }
                }

                Block(child, inner, output);
            }

            if (!numbered)
            {
                output.Add(Item(inner.Indent, level, id, []));
            }
        }
    }

    private static Paragraph Item(int indent, int level, int numberingId, IEnumerable<OpenXmlElement> content) => DocxRuns.Paragraph(
        OutcomeDocxStyles.ListParagraph,
        content,
        new ParagraphProperties
        {
            NumberingProperties = new NumberingProperties(new NumberingLevelReference { Val = level }, new NumberingId { Val = numberingId }),
            Indentation = DocxRuns.Indent(indent, DocxNumbering.LevelIndent),
        });

    private static Paragraph Paragraph(Scope scope, IEnumerable<OpenXmlElement> content, ParagraphProperties? properties = null)
    {
        properties ??= new ParagraphProperties();
        if (scope.Indent > 0)
        {
            properties.Indentation = DocxRuns.Indent(scope.Indent);
        }

        return DocxRuns.Paragraph(null, content, properties);
    }

    private List<OpenXmlElement> Inlines(ContainerInline? container, DocxFormat format)
    {
        var output = new List<OpenXmlElement>();
        if (container is not null)
        {
            foreach (var inline in container)
            {
                Inline(inline, format, output);
            }
        }

        return output;
    }

    private void Inline(Inline inline, DocxFormat format, List<OpenXmlElement> output)
    {
        switch (inline)
        {
            case LiteralInline literal:
                output.Add(DocxRuns.Run(literal.Content.ToString(), format));
                break;
            case EmphasisInline emphasis:
                output.AddRange(Inlines(emphasis, Emphasis(emphasis, format)));
                break;
            case CodeInline code:
                output.Add(DocxRuns.Run(code.Content, format with { Code = true }));
                break;
            case LineBreakInline lineBreak:
                output.Add(lineBreak.IsHard ? new Run(new Break()) : DocxRuns.Run(" ", format));
                break;
            case LinkInline link:
                Link(link.Url, Inlines(link, format with { Link = UserMarkdown.IsSafeLink(link.Url) }), output);
                break;
            case AutolinkInline autolink:
                var target = autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url;
                Link(target, [DocxRuns.Run(autolink.Url, format with { Link = UserMarkdown.IsSafeLink(target) })], output);
                break;
            case HtmlEntityInline entity:
                output.Add(DocxRuns.Run(entity.Transcoded.ToString(), format));
                break;
            case HtmlInline html:
                // Unreachable while the pipeline disables HTML; kept as the text that was typed.
                output.Add(DocxRuns.Run(html.Tag, format));
                break;
            case ContainerInline container:
                output.AddRange(Inlines(container, format));
                break;
        }
    }

    /// <summary>A hyperlink around <paramref name="content"/> when the target is safe to follow; otherwise the words alone.</summary>
    private void Link(string? url, List<OpenXmlElement> content, List<OpenXmlElement> output)
    {
        if (!UserMarkdown.IsSafeLink(url))
        {
            output.AddRange(content);
            return;
        }

        var link = new Hyperlink { Id = hyperlink(new Uri(url!.Trim(), UriKind.Absolute)), History = true };
        link.Append(content);
        output.Add(link);
    }

    /// <summary>CommonMark emphasis (<c>*</c>, <c>_</c>) and the extras the pipeline enables (<c>~~</c>, <c>~</c>, <c>^</c>, <c>++</c>, <c>==</c>).</summary>
    private static DocxFormat Emphasis(EmphasisInline emphasis, DocxFormat format) => (emphasis.DelimiterChar, emphasis.DelimiterCount) switch
    {
        ('*' or '_', >= 2) => format with { Bold = true },
        ('*' or '_', _) => format with { Italic = true },
        ('~', >= 2) => format with { Strike = true },
        ('~', _) => format with { Subscript = true },
        ('^', _) => format with { Superscript = true },
        ('+', _) => format with { Underline = true },
        ('=', _) => format with { Highlight = true },
        _ => format,
    };

    private readonly record struct Scope(int Indent, int Level, DocxFormat Format);
}
