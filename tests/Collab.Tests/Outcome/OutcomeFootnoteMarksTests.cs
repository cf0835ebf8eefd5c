using AngleSharp.Html.Parser;

namespace Collab.Tests.Outcome;

/// <summary>
/// A recommendation with two sources (the seed's third) is marked "¹,²" in the HTML export (its sources numbered per
/// recommendation) and "[^3],[^4]" in Markdown, never "¹²", which reads as
/// twelve (issue 15, item 17); the Markdown is checked by the golden files, Word by its own test.
/// </summary>
public sealed class OutcomeFootnoteMarksTests(OutcomeWorkshopNode node) : IClassFixture<OutcomeWorkshopNode>
{
    [Theory]
    [InlineData("en")]
    [InlineData("bilingual")]
    public async Task AdjacentSourceMarksInHtmlAreKeptApartByASuperscriptComma(string lang)
    {
        var scenario = await node.ScenarioAsync();
        using var response = await scenario.Workshop.SendAsync(scenario.Rapporteur.Token, HttpMethod.Get, scenario.Path($"?format=html&lang={lang}&version=final"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, html);

        var page = new HtmlParser().ParseDocument(html);
        var heading = page.QuerySelectorAll("article.recommendation h4").Single(h => h.TextContent.Contains("Fund regular cross-border meetings", StringComparison.Ordinal));
        Assert.Equal(["1", ",", "2"], heading.QuerySelectorAll("sup").Select(s => s.TextContent));
        Assert.EndsWith("meetings1,2", heading.TextContent, StringComparison.Ordinal);
        foreach (var sup in heading.QuerySelectorAll("sup:not(.sep)"))
        {
            Assert.Equal(sup.QuerySelector("a")!.GetAttribute("href"), "#" + heading.ParentElement!.Id + "-s" + sup.TextContent);
        }

        // A recommendation with one source has one mark and no separator.
        var single = page.QuerySelectorAll("article.recommendation h4").Single(h => h.TextContent.Contains("Support local radio", StringComparison.Ordinal));
        Assert.Equal(["1"], single.QuerySelectorAll("sup").Select(s => s.TextContent));
    }
}
