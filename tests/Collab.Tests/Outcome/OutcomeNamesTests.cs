using Collab.Outcome;
using Collab.Web.Outcome;
using DocumentFormat.OpenXml.Packaging;

namespace Collab.Tests.Outcome;

/// <summary>
/// Names the organisers gave in English and French (delegations, agenda sessions, themes): every export shows the
/// French form in French, both in the bilingual edition, and the single name of an old workshop as before.
/// </summary>
public sealed class OutcomeNamesTests
{
    private static OutcomeDocument Bilingual()
    {
        var outcome = SampleOutcome.Create();
        return outcome with
        {
            Delegations = [new OutcomeDelegation("civil-society", "Civil society", "civil-society", [new LocalizedText("en", "Civil society"), new LocalizedText("fr", "Société civile")])],
            Sessions = [outcome.Sessions[0] with { Titles = [new LocalizedText("en", "Opening plenary"), new LocalizedText("fr", "Plénière d’ouverture")] }],
            Themes = [outcome.Themes[0] with { Names = [new LocalizedText("en", "Governance"), new LocalizedText("fr", "Gouvernance")] }],
        };
    }

    [Fact]
    public void MarkdownAndHtmlInFrenchUseTheFrenchFormsAndTheBilingualEditionBoth()
    {
        var outcome = Bilingual();
        foreach (var render in new Func<OutcomeDocument, OutcomeEdition, string>[] { OutcomeMarkdown.Render, OutcomeHtml.Render })
        {
            var french = render(outcome, OutcomeEdition.For(outcome, "fr"));
            Assert.Contains("Société civile", french, StringComparison.Ordinal);
            Assert.Contains("— Plénière d’ouverture", french, StringComparison.Ordinal);
            Assert.Contains("Gouvernance", french, StringComparison.Ordinal);
            Assert.DoesNotContain("Civil society", french, StringComparison.Ordinal);

            var english = render(outcome, OutcomeEdition.For(outcome, "en"));
            Assert.Contains("Civil society", english, StringComparison.Ordinal);
            Assert.DoesNotContain("Société civile", english, StringComparison.Ordinal);

            var both = render(outcome, OutcomeEdition.For(outcome, "bilingual"));
            Assert.Contains("Civil society / Société civile", both, StringComparison.Ordinal);
            Assert.Contains("Opening plenary / Plénière d’ouverture", both, StringComparison.Ordinal);
            Assert.Contains("Governance / Gouvernance", both, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WordInFrenchUsesTheFrenchForms()
    {
        var text = AllText(OutcomeDocx.Render(Bilingual(), ["fr"]));
        Assert.Contains("Société civile", text, StringComparison.Ordinal);
        Assert.Contains("Plénière d’ouverture", text, StringComparison.Ordinal);
        Assert.Contains("Gouvernance", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Civil society", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorkshopWithSingleNamesExportsThemAsGiven()
    {
        var outcome = SampleOutcome.Create();
        var french = OutcomeMarkdown.Render(outcome, OutcomeEdition.For(outcome, "fr"));
        Assert.Contains("- Ghana", french, StringComparison.Ordinal);
        Assert.Contains("— Opening plenary", french, StringComparison.Ordinal);
        Assert.Contains("Governance", french, StringComparison.Ordinal);
    }

    private static string AllText(byte[] docx)
    {
        using var document = WordprocessingDocument.Open(new MemoryStream(docx), false);
        var body = document.MainDocumentPart!.Document!.Body!;
        return string.Join("\n", body.Descendants<DocumentFormat.OpenXml.Wordprocessing.Paragraph>().Select(p => p.InnerText));
    }
}
