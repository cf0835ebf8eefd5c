using Microsoft.Playwright;

namespace Collab.BrowserTests;

/// <summary>The web client's co-edited texts, as the browser tests reach them.</summary>
internal static class Texts
{
    /// <summary>A recommendation page's editor of the text in <paramref name="language"/>.</summary>
    public static ILocator TextOf(IPage page, string language) => page.GetByTestId($"text-{language}").GetByTestId("editor");

    /// <summary>Selects the first occurrence of <paramref name="words"/> in a textarea, as a mouse drag would.</summary>
    public static async Task SelectAsync(ILocator textarea, string words)
    {
        await textarea.EvaluateAsync(
            "(t, words) => { const i = t.value.indexOf(words); if (i < 0) throw new Error('not in the text: ' + words); t.focus(); t.setSelectionRange(i, i + words.length); t.dispatchEvent(new Event('select')); }",
            words);
    }
}
