using System.Text;
using Collab.Outcome;

namespace Collab.Web.Outcome;

/// <summary>
/// The outcome as Markdown (CommonMark with footnotes and pipe tables). Participants' text goes in as they typed it,
/// Markdown included; names and titles around it are escaped so they cannot change the document's structure.
/// Deterministic: the same document and edition give the same bytes.
/// </summary>
public static class OutcomeMarkdown
{
    public static string Render(OutcomeDocument outcome, OutcomeEdition edition)
    {
        var md = new StringBuilder();
        var notes = new List<string>();
        var labels = edition.Labels;

        Line(md, "# " + Escape(outcome.Title));
        Line(md);
        Line(md, "**" + edition.Label(l => l.OutcomeDocument) + "**");
        Line(md);
        foreach (var l in labels)
        {
            Line(md, "*" + Escape(l.VersionLine(outcome)) + "*");
            Line(md);
        }

        if (outcome.Venue is { Length: > 0 } venue)
        {
            Line(md, $"- **{edition.Label(l => l.Venue)}{edition.Colon}** {Escape(venue)}");
        }

        Line(md, $"- **{edition.Label(l => l.Dates)}{edition.Colon}** {string.Join(" / ", labels.Select(l => l.DateRange(outcome.StartsOn, outcome.EndsOn)).Distinct())}");
        if (outcome.Organisers.Count > 0)
        {
            Line(md, $"- **{edition.Label(l => l.Organisers)}{edition.Colon}** {Escape(string.Join("; ", outcome.Organisers))}");
        }

        if (outcome.Funders.Count > 0)
        {
            Line(md, $"- **{edition.Label(l => l.Funders)}{edition.Colon}** {Escape(string.Join("; ", outcome.Funders))}");
        }

        Line(md);
        Line(md, "## " + edition.Label(l => l.Participants));
        Line(md);
        foreach (var delegation in outcome.Delegations)
        {
            Line(md, "- " + Escape(edition.Name(delegation.Name, delegation.Names)));
        }

        Line(md);
        Line(md, "## " + edition.Label(l => l.Sessions));
        Line(md);
        foreach (var session in outcome.Sessions)
        {
            Line(md, "### " + Escape(SessionHeading(edition, session)));
            Line(md);
            for (var i = 0; i < labels.Count; i++)
            {
                var summary = Escape(labels[i].SessionSummary(session));
                Line(md, i == 0 ? summary : "*" + summary + "*");
                Line(md);
            }
        }

        Line(md, "## " + edition.Label(l => l.Recommendations));
        Line(md);
        if (outcome.Themes.Count == 0)
        {
            Line(md, edition.Label(l => l.NoRecommendations));
            Line(md);
        }

        foreach (var theme in outcome.Themes)
        {
            Line(md, "### " + Escape(edition.Label(l => l.Theme(theme))));
            Line(md);
            foreach (var recommendation in theme.Recommendations)
            {
                Recommendation(md, edition, recommendation, notes);
            }
        }

        if (outcome.Annexes.Count > 0)
        {
            Line(md, "## " + edition.Label(l => l.Annexes));
            Line(md);
            foreach (var annex in outcome.Annexes)
            {
                Line(md, "### " + Escape(edition.Label(l => l.AnnexTitle(annex))));
                Line(md);
                foreach (var note in annex.Notes)
                {
                    Line(md, "#### " + Escape(edition.Title(note.Title)));
                    Line(md);
                    UserText(md, note.Text, edition.Primary);
                }
            }
        }

        for (var i = 0; i < notes.Count; i++)
        {
            Line(md, $"[^{i + 1}]: {notes[i]}");
        }

        return md.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>"Day 1, 09:00–10:00 — Opening plenary".</summary>
    public static string SessionHeading(OutcomeEdition edition, OutcomeSession session)
    {
        var when = $"{edition.Label(l => l.Day)} {session.Day}";
        if (session.StartsAt is { } starts)
        {
            when += ", " + edition.Primary.Time(starts) + (session.EndsAt is { } ends ? "–" + edition.Primary.Time(ends) : "");
        }

        return when + " — " + edition.Name(session.Title, session.Titles);
    }

    private static void Recommendation(StringBuilder md, OutcomeEdition edition, OutcomeRecommendation recommendation, List<string> notes)
    {
        var references = new StringBuilder();
        foreach (var source in recommendation.Provenance)
        {
            notes.Add(Escape(SourceNote(edition, source)));
            // Adjacent marks would read as one number ("¹²"): a comma keeps them apart.
            references.Append(references.Length == 0 ? "" : ",").Append($"[^{notes.Count}]");
        }

        Line(md, $"#### {recommendation.Number}. {Escape(edition.Name(recommendation.Title, recommendation.Titles))}{references}");
        Line(md);
        if (edition.Bilingual)
        {
            BilingualTable(md, edition, recommendation);
        }
        else
        {
            var language = edition.Languages[0];
            var text = OutcomeEdition.TextIn(recommendation, language);
            if (text.Fallback)
            {
                Line(md, "> " + edition.Primary.NotTranslated(edition.Languages[0], text.Language));
                Line(md);
            }
            else if (text.Stale)
            {
                Line(md, "> ⚠ " + edition.Primary.StaleTranslation);
                Line(md);
            }

            UserText(md, text.Text, edition.Primary);
        }

        if (recommendation.MergedFrom.Count > 0)
        {
            Line(md, $"*{edition.Label(l => l.MergedFrom)}{edition.Colon}* {Escape(string.Join("; ", recommendation.MergedFrom))}");
            Line(md);
        }

        if (recommendation.Reservations.Count > 0)
        {
            Line(md, $"*{edition.Label(l => l.Reservations)}{edition.Colon}*");
            Line(md);
            foreach (var reservation in recommendation.Reservations)
            {
                Line(md, $"- **{Escape(reservation.Voter)}{edition.Colon}** {Escape(OneLine(reservation.Text))}");
            }

            Line(md);
        }
    }

    /// <summary>Side by side, paragraph by paragraph (the alignment the stale flags use).</summary>
    private static void BilingualTable(StringBuilder md, OutcomeEdition edition, OutcomeRecommendation recommendation)
    {
        var columns = edition.Languages.Select((language, i) => (Language: language, Labels: edition.Labels[i], Text: OutcomeEdition.TextIn(recommendation, language))).ToList();
        var header = columns.Select(c => c.Labels.LanguageName
            + (c.Text.Fallback ? " — " + c.Labels.NotTranslated(c.Language, c.Text.Language) : c.Text.Stale ? " — ⚠ " + c.Labels.StaleShort : ""));
        Line(md, "| " + string.Join(" | ", header.Select(Escape)) + " |");
        Line(md, "|" + string.Concat(columns.Select(_ => "---|")));
        var paragraphs = columns.Select(c => UserMarkdown.Paragraphs(c.Text.Text)).ToList();
        var rows = paragraphs.Max(p => p.Count);
        for (var row = 0; row < rows; row++)
        {
            var cells = paragraphs.Select(p => row < p.Count ? Cell(p[row]) : "");
            Line(md, "| " + string.Join(" | ", cells) + " |");
        }

        Line(md);
    }

    /// <summary>"Coastal states — Best practices / Bonnes pratiques (Breakouts …): “passage”", the passage as plain text.</summary>
    public static string SourceNote(OutcomeEdition edition, OutcomeSource source)
    {
        var where = (source.Place.Length == 0 ? edition.Label(l => l.Plenary) : source.Place) + " — " + edition.Title(source.Note);
        if (source.Session is { Length: > 0 } session)
        {
            where += " (" + session + ")";
        }

        var passage = OneLine(Markdig.Markdown.ToPlainText(source.Passage, UserMarkdown.Pipeline));
        return passage.Length > 0
            ? $"{where}{edition.Colon} “{passage}”"
            : $"{where}{edition.Colon} {edition.Label(l => l.PassageDeleted)}";
    }

    private static void UserText(StringBuilder md, string text, OutcomeLabels labels)
    {
        var trimmed = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n');
        Line(md, trimmed.Trim().Length == 0 ? "*" + labels.Empty + "*" : trimmed.TrimEnd());
        Line(md);
    }

    /// <summary>A paragraph inside a table cell: its lines joined with explicit breaks, pipes escaped.</summary>
    private static string Cell(string paragraph) =>
        string.Join("<br>", paragraph.Split('\n').Select(l => l.Trim())).Replace("|", "\\|", StringComparison.Ordinal);

    private static string OneLine(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Escapes the characters that would turn a name or title into Markdown structure or markup.</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in OneLine(text))
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
