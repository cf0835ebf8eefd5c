using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Collab.Outcome;
using Ganss.Xss;
using Markdig;

namespace Collab.Web.Outcome;

/// <summary>
/// The outcome as one self-contained HTML page with print-ready CSS ("print to PDF" in a browser gives the document).
/// Everything a participant typed is either encoded (names, titles) or rendered from Markdown with raw HTML off and
/// then sanitised (notes, recommendation texts): no typed markup, script or <c>javascript:</c> link survives. The page
/// also forbids scripts through its Content-Security-Policy. Deterministic: the same input gives the same bytes.
/// </summary>
public static class OutcomeHtml
{
    /// <summary>Served with the page too: nothing runs, nothing is fetched, only inline styles apply.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    private const string Css = """
        :root { color-scheme: light; }
        body { font-family: "Noto Serif", Georgia, "Times New Roman", serif; font-size: 11pt; line-height: 1.45; color: #111; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
        h1 { font-size: 1.9rem; margin-bottom: .2rem; }
        h2 { font-size: 1.4rem; border-bottom: 1px solid #999; padding-bottom: .15rem; margin-top: 2rem; }
        h3 { font-size: 1.15rem; margin-top: 1.4rem; }
        h4 { font-size: 1rem; margin-top: 1.1rem; }
        .subtitle { font-size: 1.15rem; font-weight: bold; margin: 0; }
        .version { font-style: italic; color: #333; margin-top: .2rem; }
        .facts { list-style: none; padding: 0; }
        .recommendation { break-inside: avoid-page; margin-bottom: 1.2rem; }
        .recommendation h4 .number { font-variant-numeric: tabular-nums; }
        .notice { border-left: 4px solid #b45309; background: #fff7ed; padding: .3rem .6rem; margin: .5rem 0; }
        .stale { color: #7c2d12; font-weight: bold; }
        table.bilingual { width: 100%; border-collapse: collapse; table-layout: fixed; margin: .5rem 0; }
        table.bilingual th, table.bilingual td { border: 1px solid #888; padding: .35rem .5rem; vertical-align: top; text-align: left; }
        table.bilingual th { background: #eee; }
        .sources { font-size: .85rem; color: #333; margin: .3rem 0 0; padding-left: 1.4rem; }
        .meta { font-size: .95rem; }
        sup a { text-decoration: none; }
        .annexes { break-before: page; }
        a { color: #1d4ed8; }
        @page { size: A4; margin: 2cm 1.8cm; }
        @media print {
          body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
          a { color: inherit; text-decoration: none; }
          h2, h3, h4 { break-after: avoid-page; }
          table, .notice { break-inside: avoid-page; }
        }
        """;

    public static string Render(OutcomeDocument outcome, OutcomeEdition edition)
    {
        var html = new StringBuilder();
        var labels = edition.Labels;
        var lang = edition.Languages[0];
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(E(lang)).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(E(ContentSecurityPolicy)).Append("\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(outcome.Title + " — " + edition.Label(l => l.OutcomeDocument))).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n");

        html.Append("<header>\n<h1>").Append(E(outcome.Title)).Append("</h1>\n")
            .Append("<p class=\"subtitle\">").Append(E(edition.Label(l => l.OutcomeDocument))).Append("</p>\n");
        foreach (var l in labels)
        {
            html.Append("<p class=\"version\" lang=\"").Append(E(l.Language)).Append("\">").Append(E(l.VersionLine(outcome))).Append("</p>\n");
        }

        html.Append("<ul class=\"facts\">\n");
        if (outcome.Venue is { Length: > 0 } venue)
        {
            Fact(html, edition, edition.Label(l => l.Venue), venue);
        }

        Fact(html, edition, edition.Label(l => l.Dates), string.Join(" / ", labels.Select(l => l.DateRange(outcome.StartsOn, outcome.EndsOn)).Distinct()));
        if (outcome.Organisers.Count > 0)
        {
            Fact(html, edition, edition.Label(l => l.Organisers), string.Join("; ", outcome.Organisers));
        }

        if (outcome.Funders.Count > 0)
        {
            Fact(html, edition, edition.Label(l => l.Funders), string.Join("; ", outcome.Funders));
        }

        html.Append("</ul>\n</header>\n");

        html.Append("<section>\n<h2>").Append(E(edition.Label(l => l.Participants))).Append("</h2>\n<ul>\n");
        foreach (var delegation in outcome.Delegations)
        {
            html.Append("<li>").Append(E(edition.Name(delegation.Name, delegation.Names))).Append("</li>\n");
        }

        html.Append("</ul>\n</section>\n");

        html.Append("<section>\n<h2>").Append(E(edition.Label(l => l.Sessions))).Append("</h2>\n");
        foreach (var session in outcome.Sessions)
        {
            html.Append("<h3>").Append(E(OutcomeMarkdown.SessionHeading(edition, session))).Append("</h3>\n");
            foreach (var l in labels)
            {
                html.Append("<p class=\"meta\" lang=\"").Append(E(l.Language)).Append("\">").Append(E(l.SessionSummary(session))).Append("</p>\n");
            }
        }

        html.Append("</section>\n");

        html.Append("<section>\n<h2>").Append(E(edition.Label(l => l.Recommendations))).Append("</h2>\n");
        if (outcome.Themes.Count == 0)
        {
            html.Append("<p>").Append(E(edition.Label(l => l.NoRecommendations))).Append("</p>\n");
        }

        foreach (var theme in outcome.Themes)
        {
            html.Append("<h3>").Append(E(edition.Label(l => l.Theme(theme)))).Append("</h3>\n");
            foreach (var recommendation in theme.Recommendations)
            {
                Recommendation(html, edition, recommendation);
            }
        }

        html.Append("</section>\n");

        if (outcome.Annexes.Count > 0)
        {
            html.Append("<section class=\"annexes\">\n<h2>").Append(E(edition.Label(l => l.Annexes))).Append("</h2>\n");
            foreach (var annex in outcome.Annexes)
            {
                html.Append("<h3>").Append(E(edition.Label(l => l.AnnexTitle(annex)))).Append("</h3>\n");
                foreach (var note in annex.Notes)
                {
                    html.Append("<h4>").Append(E(edition.Title(note.Title))).Append("</h4>\n");
                    html.Append(UserText(note.Text, edition.Primary));
                }
            }

            html.Append("</section>\n");
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Markdown typed by a participant, as safe HTML.</summary>
    public static string UserText(string text, OutcomeLabels labels)
    {
        if (text.Trim().Length == 0)
        {
            return "<p><em>" + E(labels.Empty) + "</em></p>\n";
        }

        return Sanitizer.Sanitize(Markdown.ToHtml(text, UserMarkdown.Pipeline)).TrimEnd('\n') + "\n";
    }

    private static void Recommendation(StringBuilder html, OutcomeEdition edition, OutcomeRecommendation recommendation)
    {
        var id = "r" + recommendation.Number;
        html.Append("<article class=\"recommendation\" id=\"").Append(id).Append("\">\n<h4><span class=\"number\">")
            .Append(recommendation.Number).Append(".</span> ").Append(E(edition.Name(recommendation.Title, recommendation.Titles)));
        for (var i = 0; i < recommendation.Provenance.Count; i++)
        {
            // Adjacent marks would read as one number ("¹²"): a superscript comma keeps them apart ("¹,²"), as in Word.
            if (i > 0)
            {
                html.Append("<sup class=\"sep\">,</sup>");
            }

            html.Append("<sup><a href=\"#").Append(id).Append("-s").Append(i + 1).Append("\">").Append(i + 1).Append("</a></sup>");
        }

        html.Append("</h4>\n");
        if (edition.Bilingual)
        {
            html.Append("<table class=\"bilingual\">\n<thead><tr>");
            var texts = edition.Languages.Select(l => OutcomeEdition.TextIn(recommendation, l)).ToList();
            for (var i = 0; i < texts.Count; i++)
            {
                html.Append("<th scope=\"col\" lang=\"").Append(E(edition.Languages[i])).Append("\">").Append(E(edition.Labels[i].LanguageName));
                if (texts[i].Fallback)
                {
                    html.Append("<br><span class=\"stale\">").Append(E(edition.Labels[i].NotTranslated(edition.Languages[i], texts[i].Language))).Append("</span>");
                }
                else if (texts[i].Stale)
                {
                    html.Append("<br><span class=\"stale\">⚠ ").Append(E(edition.Labels[i].StaleShort)).Append("</span>");
                }

                html.Append("</th>");
            }

            html.Append("</tr></thead>\n<tbody><tr>\n");
            for (var i = 0; i < texts.Count; i++)
            {
                html.Append("<td lang=\"").Append(E(texts[i].Language)).Append("\">\n").Append(UserText(texts[i].Text, edition.Labels[i])).Append("</td>\n");
            }

            html.Append("</tr></tbody>\n</table>\n");
        }
        else
        {
            var text = OutcomeEdition.TextIn(recommendation, edition.Languages[0]);
            if (text.Fallback)
            {
                html.Append("<p class=\"notice\">").Append(E(edition.Primary.NotTranslated(edition.Languages[0], text.Language))).Append("</p>\n");
            }
            else if (text.Stale)
            {
                html.Append("<p class=\"notice stale\">⚠ ").Append(E(edition.Primary.StaleTranslation)).Append("</p>\n");
            }

            html.Append("<div lang=\"").Append(E(text.Language)).Append("\">\n").Append(UserText(text.Text, edition.Primary)).Append("</div>\n");
        }

        if (recommendation.MergedFrom.Count > 0)
        {
            html.Append("<p class=\"meta\"><em>").Append(E(edition.Label(l => l.MergedFrom) + edition.Colon)).Append("</em> ")
                .Append(E(string.Join("; ", recommendation.MergedFrom))).Append("</p>\n");
        }

        if (recommendation.Reservations.Count > 0)
        {
            html.Append("<p class=\"meta\"><em>").Append(E(edition.Label(l => l.Reservations) + edition.Colon)).Append("</em></p>\n<ul class=\"meta\">\n");
            foreach (var reservation in recommendation.Reservations)
            {
                html.Append("<li><strong>").Append(E(reservation.Voter + edition.Colon)).Append("</strong> ").Append(E(reservation.Text)).Append("</li>\n");
            }

            html.Append("</ul>\n");
        }

        if (recommendation.Provenance.Count > 0)
        {
            html.Append("<ol class=\"sources\" aria-label=\"").Append(E(edition.Label(l => l.Sources))).Append("\">\n");
            for (var i = 0; i < recommendation.Provenance.Count; i++)
            {
                html.Append("<li id=\"").Append(id).Append("-s").Append(i + 1).Append("\">")
                    .Append(E(OutcomeMarkdown.SourceNote(edition, recommendation.Provenance[i]))).Append("</li>\n");
            }

            html.Append("</ol>\n");
        }

        html.Append("</article>\n");
    }

    private static void Fact(StringBuilder html, OutcomeEdition edition, string label, string value) =>
        html.Append("<li><strong>").Append(E(label + edition.Colon)).Append("</strong> ").Append(E(value)).Append("</li>\n");

    private static string E(string text) => Encoder.Encode(text);

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" })
        {
            sanitizer.AllowedSchemes.Add(scheme);
        }

        // Markdown makes no classes, ids or styles; none typed through it may stay.
        sanitizer.AllowedAttributes.Remove("class");
        sanitizer.AllowedAttributes.Remove("id");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedCssProperties.Clear();
        return sanitizer;
    }
}
