using Collab.Client;
using Collab.Recommendations;
using Collab.Sessions;
using Collab.Tests.Seeds;
using Collab.Text;

namespace Collab.Tests.Outcome;

/// <summary>
/// The seed conference taken through to its outcome, through the real API and hub: breakouts with notes typed by the
/// rapporteur, recommendations with provenance that are adopted (one with a reservation, one with a stale French
/// translation, one consolidated from two merged proposals), rejected and withdrawn; then the version "Final".
/// </summary>
public sealed class OutcomeWorkshopNode : SeededWebNode
{
    private readonly Lazy<Task<OutcomeScenario>> _scenario;

    public OutcomeWorkshopNode() => _scenario = new(() => OutcomeScenario.PlayAsync(this));

    public Task<OutcomeScenario> ScenarioAsync() => _scenario.Value;
}

public sealed record OutcomeScenario(
    TestWorkshop Workshop,
    TestWorkshop.Member Rapporteur,
    TestWorkshop.Member Awa,
    TestWorkshop.Member Kofi,
    TestWorkshop.Member Observer,
    OutcomeWire.Published Final,
    string CoastalBestPractices)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public string Path(string rest = "") => $"/api/workshops/{Workshop.Id}/outcome{rest}";

    public static async Task<OutcomeScenario> PlayAsync(OutcomeWorkshopNode node)
    {
        var run = await node.FirstLoadAsync();
        Assert.True(run.ExitCode == 0, run.Error);
        var seeded = SeedOutput.Parse(run.Output);
        var workshop = await TestWorkshop.ExistingAsync(() => new HttpClient { BaseAddress = node.Address }, seeded.WorkshopId, seeded.Codes, "Chair");
        var facilitator = workshop.Facilitator.Token;
        var rapporteur = await workshop.JoinAsync("Aïcha Rapporteure", "rapporteur", language: "fr");
        var awa = await workshop.JoinAsync("Awa Sow", delegation: "bj", language: "fr");
        var kofi = await workshop.JoinAsync("Kofi Mensah", delegation: "gh", language: "en");
        var komi = await workshop.JoinAsync("Komi Agbeko", delegation: "tg", language: "fr");
        var ibrahim = await workshop.JoinAsync("Ibrahim Ouédraogo", delegation: "bf", language: "fr");
        var observer = await workshop.JoinAsync("Observer", "observer");

        // Day 1 breakouts: two named groups, assigned by hand.
        var session = $"/api/workshops/{workshop.Id}/sessions/d1-breakouts";
        await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, session + "/start");
        var opened = await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, session + "/breakouts",
            new { naming = "named", names = new[] { "Coastal states", "Sahel states" }, assignment = "manual" });
        var coastal = opened.Breakouts!.Groups[0];
        var sahel = opened.Breakouts.Groups[1];
        foreach (var (member, group) in new[] { (awa, coastal), (kofi, coastal), (komi, coastal), (ibrahim, sahel) })
        {
            await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, session + "/breakouts/move", new { participantId = member.Id, groupId = group.Id });
        }

        string Doc(GroupView group, string section) => group.Documents.Single(d => d.Section == section).DocId;
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, rapporteur.Token);
        await WriteAsync(connection, Doc(coastal, "best-practices"), "- Joint patrols with **community liaison officers**.\n- Local radio programmes in border languages.");
        await WriteAsync(connection, Doc(coastal, "lessons-learnt"), "Engagement has to address *socio-economic* fissures, not security alone.");
        await WriteAsync(connection, Doc(coastal, "challenges"), "Too little funding for cross-border meetings.");
        await WriteAsync(connection, Doc(coastal, "group-report"), "Key points / Points clés\n\nThe coastal states agreed on joint patrols.\n\nWay forward / Perspectives\n\nMeet again in 2024.");
        await WriteAsync(connection, Doc(sahel, "best-practices"), "Regional meetings chaired by local authorities.");
        await WriteAsync(connection, Doc(sahel, "challenges"), "Insecurity keeps communities from travelling.");

        // Recommendations: proposed from the groups' notes, with provenance.
        var recommendations = $"/api/workshops/{workshop.Id}/recommendations";
        async Task<RecommendationView> ProposeAsync(TestWorkshop.Member by, string title, string theme, string text, GroupView group, string section, string passage,
            Dictionary<string, string>? titles = null)
        {
            var docId = Doc(group, section);
            var notes = await TextAsync(connection, docId);
            var start = notes.IndexOf(passage, StringComparison.Ordinal);
            Assert.True(start >= 0, $"'{passage}' is not in {section}");
            var view = await workshop.OkAsync<RecommendationView>(by.Token, HttpMethod.Post, recommendations, new
            {
                title,
                titles,
                theme,
                text,
                language = "en",
                origin = group.Room,
                provenance = new[] { new { docId, start, end = start + passage.Length, revision = await RevisionAsync(connection, docId) } },
            });
            return await MoveAsync(view.Id, "proposed", by.Token);
        }

        Task<RecommendationView> MoveAsync(string id, string status, string? token = null) =>
            workshop.OkAsync<RecommendationView>(token ?? facilitator, HttpMethod.Post, $"{recommendations}/{id}/status", new { status });
        Task<RecommendationView> VoteAsync(string id, TestWorkshop.Member member, string stance, string? reservation = null) =>
            workshop.OkAsync<RecommendationView>(member.Token, HttpMethod.Post, $"{recommendations}/{id}/endorsements", new { stance, reservation });

        var committees = await ProposeAsync(awa, "Establish joint border committees", "Cross-border cooperation",
            "Establish joint border committees that include **community representatives**.\n\nThey meet at least twice a year.",
            coastal, "best-practices", "Joint patrols with **community liaison officers**.",
            new() { ["fr"] = "Créer des comités frontaliers conjoints" });
        var radio = await ProposeAsync(kofi, "Support local radio in border languages", "Community engagement",
            "Support local radio programmes in the languages spoken on both sides of the border.",
            coastal, "best-practices", "Local radio programmes in border languages.");
        var wall = await ProposeAsync(komi, "Build a border wall", "Cross-border cooperation", "Build a wall along the whole border.",
            coastal, "challenges", "Too little funding");
        var funding = await ProposeAsync(kofi, "Fund cross-border meetings", "Cross-border cooperation", "Fund cross-border meetings.",
            coastal, "challenges", "Too little funding for cross-border meetings.");
        var meetings = await ProposeAsync(ibrahim, "Hold regional meetings", "Cross-border cooperation", "Hold regional meetings chaired by local authorities.",
            sahel, "best-practices", "Regional meetings chaired by local authorities.");
        var withdrawn = await ProposeAsync(ibrahim, "Close the markets", "Community engagement", "Close border markets at night.",
            sahel, "challenges", "Insecurity keeps communities from travelling.");

        // French: the committees' translation is in line; the radio's is behind a later change of the English text.
        await WriteAsync(connection, FrenchDoc(committees), "Créer des comités frontaliers conjoints incluant des **représentants des communautés**.\n\nIls se réunissent au moins deux fois par an.");
        await workshop.OkAsync<RecommendationView>(rapporteur.Token, HttpMethod.Post, $"{recommendations}/{committees.Id}/translations/fr/sync");
        await WriteAsync(connection, FrenchDoc(radio), "Soutenir les radios locales dans les langues parlées des deux côtés de la frontière.");
        await workshop.OkAsync<RecommendationView>(rapporteur.Token, HttpMethod.Post, $"{recommendations}/{radio.Id}/translations/fr/sync");
        await WriteAsync(connection, radio.Texts.Single(t => t.OfRecord).DocId,
            "Support local radio programmes in the languages spoken on both sides of the border, run by young people.");

        // The radio's French title is given later, on its page, by the rapporteur.
        await workshop.OkAsync<RecommendationView>(rapporteur.Token, HttpMethod.Put, $"{recommendations}/{radio.Id}/titles/fr",
            new { title = "Soutenir les radios locales dans les langues frontalières" });

        var merged = await workshop.OkAsync<RecommendationView>(facilitator, HttpMethod.Post, recommendations + "/merge",
            new { sources = new[] { funding.Id, meetings.Id }, title = "Fund regular cross-border meetings", theme = "Cross-border cooperation" });
        merged = await MoveAsync(merged.Id, "proposed");

        // Day 2: the breakouts are over; the recommendations plenary takes the endorsements in its adoption phase.
        await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, session + "/breakouts/recall", new { freeze = false });
        await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, session + "/end");
        await LiveAsync(workshop, "d2-recommendations", "adopt");
        await VoteAsync(committees.Id, awa, "support");
        await VoteAsync(committees.Id, kofi, "reservation", "Ghana will align the committees with its district assemblies.");
        await VoteAsync(radio.Id, komi, "support");
        await VoteAsync(merged.Id, awa, "support");
        await VoteAsync(merged.Id, ibrahim, "reservation", "Subject to available funding.");
        await VoteAsync(wall.Id, awa, "objection");
        foreach (var adopted in new[] { committees, radio, merged })
        {
            await MoveAsync(adopted.Id, "inReview");
            await MoveAsync(adopted.Id, "adopted");
        }

        await MoveAsync(wall.Id, "rejected");
        await MoveAsync(withdrawn.Id, "withdrawn", ibrahim.Token);
        await EndAsync(workshop, "d2-recommendations");

        var final = await workshop.OkAsync<OutcomeWire.Published>(rapporteur.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/outcome/versions", new { name = "Final" });
        return new OutcomeScenario(workshop, rapporteur, awa, kofi, observer, final, Doc(coastal, "best-practices"));

        static string FrenchDoc(RecommendationView view) => view.Texts.Single(t => t.Language == "fr").DocId;
    }

    /// <summary>Makes <paramref name="sessionId"/> the live session (starting it if need be) in <paramref name="phase"/>.</summary>
    public static async Task LiveAsync(TestWorkshop workshop, string sessionId, string phase)
    {
        var session = $"/api/workshops/{workshop.Id}/sessions/{sessionId}";
        var now = await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Get, session);
        if (now.Status is not (SessionStatus.Running or SessionStatus.Paused))
        {
            await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, session + "/start");
        }

        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, session + "/phase", new { phase });
    }

    public static Task EndAsync(TestWorkshop workshop, string sessionId) =>
        workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/{sessionId}/end");

    /// <summary>Replaces a document's text over the hub and waits for the server's acknowledgement.</summary>
    public static async Task WriteAsync(CollabConnection connection, string docId, string text)
    {
        var document = await connection.OpenAsync(docId);
        document.Edit(current => current.Length == 0
            ? TextOperation.Of(OpComponent.Insert(text))
            : TextOperation.Of(OpComponent.Delete(current.Length), OpComponent.Insert(text)));
        await document.WaitSyncedAsync(Patience);
    }

    private static async Task<string> TextAsync(CollabConnection connection, string docId) => (await connection.OpenAsync(docId)).Text;

    private static async Task<int> RevisionAsync(CollabConnection connection, string docId) => (await connection.OpenAsync(docId)).Revision;
}

/// <summary>Wire shapes of the outcome API as a client reads them.</summary>
public static class OutcomeWire
{
    public sealed record Published(string Id, string Name, DateTimeOffset PublishedAt, string PublishedBy, string PublishedById);
}
