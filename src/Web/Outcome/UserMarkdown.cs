using Markdig;
using Markdig.Syntax;

namespace Collab.Web.Outcome;

/// <summary>
/// How exports read what participants typed: CommonMark (lists, emphasis, links, headings) with raw HTML turned off,
/// so a typed <c>&lt;script&gt;</c> stays text. Links are kept only for schemes a reader can safely follow.
/// </summary>
public static class UserMarkdown
{
    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    /// <summary>One pipeline for every renderer, so HTML and DOCX read the same structure.</summary>
    public static MarkdownPipeline Pipeline { get; } = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .Build();

    public static MarkdownDocument Parse(string text) => Markdown.Parse(text, Pipeline);

    /// <summary>An absolute http(s) or mailto link; anything else (<c>javascript:</c>, <c>data:</c>, relative paths) is not followed.</summary>
    public static bool IsSafeLink(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && SafeSchemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);

    /// <summary>Paragraphs of a text as the bilingual view aligns them: blocks separated by blank lines.</summary>
    public static IReadOnlyList<string> Paragraphs(string text) =>
        [.. text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n").Select(p => p.Trim('\n')).Where(p => p.Trim().Length > 0)];
}
