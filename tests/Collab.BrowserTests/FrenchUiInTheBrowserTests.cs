using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The French UI is French (issue 15, item 11): every view walked in French (join, workspace in plenary and in a
/// group with a labelled countdown, the console with its confirmation, the board, a recommendation's page, the
/// outcome) shows no English string of the client's tables, in its text nor in placeholder, title or aria-label.
/// </summary>
public sealed class FrenchUiInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    /// <summary>
    /// Runs in the page: the English strings of the client's own tables (i18n.js) that are not also French, as exact
    /// segments or as templates (<c>{time} left</c>), against every visible text segment and attribute of the page.
    /// </summary>
    private const string FindEnglish = """
        async () => {
          const { STRINGS } = await import('/js/i18n.js');
          const french = new Set(Object.values(STRINGS.fr));
          const escape = (s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          const literal = (s) => s.replace(/\{\w+\}/g, '').replace(/[\s:·,.()…“”«»!?'’-]/g, '');
          const checks = [];
          for (const [key, en] of Object.entries(STRINGS.en)) {
            if (key === 'app.name' || french.has(en) || STRINGS.fr[key] === en) continue;
            if (literal(en).length < 3) continue; // nothing to tell the languages apart ("{label}", "{role}:")
            const pattern = new RegExp('^' + escape(en).replace(/\\\{\w+\\\}|\{\w+\}/g, '.+') + '$', 's');
            checks.push({ key, en, pattern });
          }
          const segments = new Set();
          const add = (text) => {
            for (const part of String(text ?? '').split(/\n|\s·\s/)) {
              const s = part.replace(/^[\s:·,()–—]+|[\s:·,–—]+$/g, '');
              if (s) segments.add(s);
            }
          };
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            // People's texts (documents, their previews) are theirs; a language's own name is marked with its lang.
            if (!el || el.closest('script,style,textarea,.doc-text,.preview,[data-user-text]')) continue;
            if (!el.closest('[lang]')?.lang.startsWith('fr')) continue;
            if (el.tagName === 'OPTION' ? !el.parentElement.checkVisibility() : !el.checkVisibility()) continue;
            add(n.textContent);
          }
          for (const el of document.querySelectorAll('[placeholder],[title],[aria-label]')) {
            if (!el.checkVisibility()) continue;
            for (const a of ['placeholder', 'title', 'aria-label']) if (el.hasAttribute(a)) add(el.getAttribute(a));
          }
          const found = [];
          for (const s of segments) {
            if (french.has(s)) continue;
            const hit = checks.find((c) => c.pattern.test(s));
            if (hit) found.push(`"${s}" (${hit.key}: "${hit.en}")`);
          }
          return found;
        }
        """;

    [Fact]
    public async Task EveryViewInFrenchShowsNoEnglishString()
    {
        var english = new List<string>();
        async Task CheckAsync(IPage page, string where)
        {
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var found = await page.EvaluateAsync<string[]>(FindEnglish);
            english.AddRange(found.Select(f => $"{where}: {f}"));
            await BrowserSite.ScreenshotAsync(page, "french-" + where);
        }

        // The join page.
        var joinPage = await site.NewPageAsync("join", "fr");
        await joinPage.GotoAsync("/#join=" + site.Codes["participant"]);
        await Expect(joinPage.GetByTestId("join-workshop")).ToBeVisibleAsync();
        await CheckAsync(joinPage, "join");

        // A recommendation to open, and the session running with groups and a labelled countdown.
        var proposed = await site.FacilitatorAsync(HttpMethod.Post, "/recommendations", new { title = "Patrouilles conjointes", text = "Organiser des patrouilles conjointes.", language = "fr" });
        var rid = proposed.GetProperty("id").GetString()!;
        var fatou = await site.JoinAsync("facilitator", "Fatou Diallo", null, "fr");
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        await CheckAsync(awa, "workspace-plenary");

        await fatou.GetByRole(AriaRole.Link, new() { Name = "Console de facilitation" }).ClickAsync();
        await fatou.GetByRole(AriaRole.Button, new() { Name = "Groupes de travail : bonnes pratiques" }).ClickAsync();
        await CheckAsync(fatou, "console-scheduled");
        await fatou.GetByRole(AriaRole.Button, new() { Name = "Démarrer", Exact = true }).ClickAsync();
        await Expect(fatou.Locator(".session-line")).ToContainTextAsync("En cours");
        await fatou.GetByLabel("Nombre de groupes").FillAsync("1");
        await fatou.GetByRole(AriaRole.Button, new() { Name = "Ouvrir les groupes", Exact = true }).ClickAsync();
        await fatou.GetByLabel("Libellé (facultatif)").FillAsync("Travail en groupe");
        await fatou.GetByRole(AriaRole.Button, new() { Name = "Lancer le minuteur" }).ClickAsync();
        await Expect(awa.GetByTestId("room-name")).ToContainTextAsync("Groupe 1");
        await Expect(awa.GetByTestId("timer")).ToContainTextAsync("Travail en groupe\u00a0: reste");
        await CheckAsync(awa, "workspace-group");
        await CheckAsync(fatou, "console-running");
        await fatou.GetByRole(AriaRole.Button, new() { Name = "Terminer", Exact = true }).ClickAsync();
        await Expect(fatou.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await CheckAsync(fatou, "console-confirm");
        await fatou.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Annuler" }).ClickAsync();

        await awa.GotoAsync("/#board");
        await Expect(awa.GetByText("Patrouilles conjointes").First).ToBeVisibleAsync();
        await CheckAsync(awa, "board");
        await awa.GotoAsync("/#rec=" + Uri.EscapeDataString(rid));
        await Expect(awa.GetByRole(AriaRole.Heading, new() { Name = "Patrouilles conjointes" })).ToBeVisibleAsync();
        await CheckAsync(awa, "recommendation");
        await awa.GotoAsync("/#outcome");
        await CheckAsync(awa, "outcome-participant");
        await fatou.GotoAsync("/#outcome");
        await CheckAsync(fatou, "outcome-facilitator");

        Assert.True(english.Count == 0, "English on French pages:\n" + string.Join('\n', english));
    }

}
