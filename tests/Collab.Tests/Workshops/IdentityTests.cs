using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Collab.Web.Identity;
using Collab.Web.Realtime;
using Collab.Workshops;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Collab.Tests.Workshops;

/// <summary>An embedded node whose signing key the tests know, so that they can mint tokens as the node would.</summary>
public sealed class KnownKeyWebNode : KestrelWebNode
{
    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(CollabAuth.SigningKeyKey, Convert.ToBase64String(SigningKey));
    }
}

/// <summary>
/// Signing in: join codes become signed tokens that work on the HTTP API and the hub; every other token is refused
/// with the 401 code that says why; rejoining, rotating codes, removing people and importing a roster.
/// </summary>
public sealed class IdentityTests(KnownKeyWebNode node) : IClassFixture<KnownKeyWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Three people the facilitator expects: a participant with a pre-assigned group, a rapporteur, an observer.</summary>
    private const string ConferenceRoster = """
        name,email,delegation,role,language,group
        Adjoa Mensah,adjoa@example.org,gh,participant,en,Group 2
        Moussa Traoré,moussa@example.org,bf,rapporteur,fr,
        Akouvi Agbeko,,tg,observer,,
        """;

    [Fact]
    public async Task JoiningYieldsATokenThatWorksOnTheApiAndTheHub()
    {
        var workshop = await node.WorkshopAsync();
        var joined = await workshop.JoinAsync("Awa Dossou", delegation: "bj");

        var me = await workshop.OkAsync<Caller>(joined.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/me");
        await using var connection = node.Raw(joined.Token);
        await connection.StartAsync();
        var entered = await connection.InvokeAsync<EnteredWorkshop>("EnterWorkshop");

        Assert.Equal(new Caller(joined.Id, "Awa Dossou", workshop.Id, Role.Participant, "bj"), me);
        Assert.Equal(me, entered.Me);
        Assert.Equal(workshop.Id, entered.Workshop.Id);
    }

    public static TheoryData<string, string> RefusedTokens => new()
    {
        { "none", "auth.required" },
        { "garbage", "auth.invalid_token" },
        { "tampered signature", "auth.invalid_token" },
        { "signed with another key", "auth.invalid_token" },
        { "unsigned", "auth.invalid_token" },
        { "expired", "auth.token_expired" },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task ApiRefusesABadTokenWithItsCode(string kind, string code)
    {
        var workshop = await node.WorkshopAsync();
        var token = await TokenAsync(kind);

        Assert.Equal(code, await workshop.RejectedAsync(token, HttpMethod.Get, $"/api/workshops/{workshop.Id}", null, 401));
        Assert.Equal(code, await workshop.RejectedAsync(token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/documents", new { title = "Sneaky" }, 401));
        Assert.DoesNotContain((await WorkshopAsync(workshop)).Documents, d => d.Title == "Sneaky");
    }

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task HubRefusesToConnectWithABadToken(string kind, string code)
    {
        var workshop = await node.WorkshopAsync();
        var token = await TokenAsync(kind);
        await using var connection = token is null
            ? new HubConnectionBuilder().WithUrl(node.HubUrl).Build()
            : node.Raw(token);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);

        // The same negotiation a client sends says why, as the API does.
        Assert.Equal(code, await workshop.RejectedAsync(token, HttpMethod.Post, "/hubs/collab/negotiate?negotiateVersion=1", null, 401));
    }

    [Fact]
    public async Task ASignedInRequestKeepsTheCallersClaimsButNotTheToken()
    {
        // A hub connection keeps its user for as long as it is open (docs/performance.md, "Memory per idle connection").
        var workshop = await node.WorkshopAsync();
        var joined = await workshop.JoinAsync("Edem Kpodo", delegation: "tg");
        await using var scope = node.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = "Bearer " + joined.Token;

        var user = (await http.AuthenticateAsync()).Principal!;

        var identity = Assert.Single(user.Identities);
        Assert.Equal([CollabClaims.Participant, CollabClaims.Workshop, CollabClaims.Role, CollabClaims.Name, CollabClaims.Delegation], identity.Claims.Select(c => c.Type));
        Assert.False(identity is CaseSensitiveClaimsIdentity { SecurityToken: not null }, "the validated token stays with the principal");
        Assert.True(identity.IsAuthenticated);
        Assert.Equal("Edem Kpodo", identity.Name);
        Assert.True(user.IsInRole("participant"));
        Assert.Equal(new Caller(joined.Id, "Edem Kpodo", workshop.Id, Role.Participant, "tg"), CollabClaims.CallerOf(user));
    }

    [Fact]
    public async Task TokenMintedWithTheNodesKeyIsAcceptedUntilItExpires()
    {
        // The control for the "expired" case above: the same minting, only the lifetime differs.
        var workshop = await node.WorkshopAsync();
        var member = await node.MemberAsync("Minted Mariam");
        var now = DateTime.UtcNow;

        var valid = Mint(node.SigningKey, workshop.Id, member, now.AddMinutes(-1), now.AddHours(1));
        var expired = Mint(node.SigningKey, workshop.Id, member, now.AddHours(-2), now.AddHours(-1));

        Assert.Equal(member.Id, (await workshop.OkAsync<Caller>(valid, HttpMethod.Get, $"/api/workshops/{workshop.Id}/me")).ParticipantId);
        Assert.Equal("auth.token_expired", await workshop.RejectedAsync(expired, HttpMethod.Get, $"/api/workshops/{workshop.Id}/me", null, 401));
    }

    [Fact]
    public async Task RejoiningWithTheRejoinKeyIsTheSameParticipantWhateverTheCode()
    {
        var workshop = await NewWorkshopAsync();
        var laptop = await workshop.JoinAsync("Kofi Mensah", delegation: "gh");
        var count = (await WorkshopAsync(workshop)).ParticipantCount;

        // From a phone, with the observer code on the screen: the rejoin key decides who this is, not the code.
        using var response = await workshop.TryJoinAsync(new { code = workshop.Codes["observer"], rejoinKey = laptop.RejoinKey });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        var phone = TestWorkshop.Member.Of(body);

        Assert.True(body.GetProperty("rejoined").GetBoolean());
        Assert.Equal((laptop.Id, "Kofi Mensah", "participant"), (phone.Id, phone.Name, phone.Role));
        Assert.Equal(new Caller(laptop.Id, "Kofi Mensah", workshop.Id, Role.Participant, "gh"), await MeAsync(workshop, phone.Token));
        Assert.Equal(laptop.Id, (await MeAsync(workshop, laptop.Token)).ParticipantId);
        Assert.Equal(count, (await WorkshopAsync(workshop)).ParticipantCount);
    }

    [Fact]
    public async Task RotatedJoinCodeNoLongerAdmitsButIssuedTokensKeepWorking()
    {
        var workshop = await NewWorkshopAsync();
        var early = await workshop.JoinAsync("Early Esi");
        var before = await JoinCodesAsync(workshop);

        var rotated = await workshop.OkAsync<JoinCode>(
            workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/join-codes/participant/rotate");
        var count = (await WorkshopAsync(workshop)).ParticipantCount;
        using var late = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], displayName = "Late Lamine" });
        var problem = await late.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);

        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal("join.code_invalid", problem.GetProperty("code").GetString());
        Assert.Equal(count, (await WorkshopAsync(workshop)).ParticipantCount);
        Assert.DoesNotContain(await RosterAsync(workshop), p => p.Name == "Late Lamine");

        // Who already joined stays in, on the API and the hub.
        Assert.Equal(early.Id, (await MeAsync(workshop, early.Token)).ParticipantId);
        await using var connection = node.Raw(early.Token);
        await connection.StartAsync();

        // Only that role's code changed, and the new one admits.
        Assert.NotEqual(workshop.Codes["participant"], rotated.Code);
        Assert.Equal(
            before.Select(c => c.Role == Role.Participant ? rotated : c),
            await JoinCodesAsync(workshop));
        using var withNewCode = await workshop.TryJoinAsync(new { code = rotated.Code, displayName = "Late Lamine" });
        Assert.Equal(HttpStatusCode.OK, withNewCode.StatusCode);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("3")]
    public async Task RotatingSomethingThatIsNotARoleChangesNoCode(string role)
    {
        var workshop = await NewWorkshopAsync();
        var before = await JoinCodesAsync(workshop);

        var code = await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/join-codes/{role}/rotate", null, 400);

        Assert.Equal("join.role_invalid", code);
        Assert.Equal(before, await JoinCodesAsync(workshop));
    }

    [Fact]
    public async Task RemovedParticipantIsSignedOutEverywhereAtOnce()
    {
        var workshop = await node.WorkshopAsync();
        var removed = await node.MemberAsync("Removed Rakia");
        await using var connection = node.Raw(removed.Token);
        var revoked = new TaskCompletionSource<Revoked>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<Revoked>("Revoked", r => revoked.TrySetResult(r));
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await connection.StartAsync();

        // Answered only once the hub has set the connection up (after OnConnectedAsync): it is fully open.
        Assert.Equal(removed.Id, (await connection.InvokeAsync<EnteredWorkshop>("EnterWorkshop")).Me.ParticipantId);
        Assert.Equal(removed.Id, (await MeAsync(workshop, removed.Token)).ParticipantId);

        using var response = await workshop.SendAsync(workshop.Facilitator.Token, HttpMethod.Delete, $"/api/workshops/{workshop.Id}/participants/{removed.Id}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        Assert.Equal("auth.revoked", await workshop.RejectedAsync(removed.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/me", null, 401));
        Assert.Equal(new Revoked(workshop.Id, "auth.revoked"), await WithinPatienceAsync(revoked.Task, "the Revoked push on the open connection"));
        await WithinPatienceAsync(closed.Task, "the server to close the open connection");
        Assert.Equal(HubConnectionState.Disconnected, connection.State);

        await using var again = node.Raw(removed.Token);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => again.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain(await RosterAsync(workshop), p => p.Id == removed.Id);
    }

    [Fact]
    public async Task ParticipantRemovedWhileTheirConnectionOpensIsSignedOutToo()
    {
        var workshop = await node.WorkshopAsync();
        var removed = await node.MemberAsync("Connecting Comfort");
        using var patience = new CancellationTokenSource(Patience);
        using var socket = new ClientWebSocket();
        var hub = new UriBuilder(node.HubUrl) { Scheme = "ws", Query = "access_token=" + Uri.EscapeDataString(removed.Token) }.Uri;

        // The WebSocket request is signed in with a valid token; the hub sets the connection up only on the SignalR
        // handshake, sent after the removal. No push can reach a connection that is not set up yet.
        await socket.ConnectAsync(hub, patience.Token);
        using var response = await workshop.SendAsync(workshop.Facilitator.Token, HttpMethod.Delete, $"/api/workshops/{workshop.Id}/participants/{removed.Id}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await socket.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, patience.Token);

        var messages = await ReceiveUntilClosedAsync(socket, patience.Token, "the server to close the connection of a participant removed while it opened");

        var revoked = Assert.Single(messages, m => m.TryGetProperty("target", out var target) && target.GetString() == "Revoked");
        Assert.Equal(
            new Revoked(workshop.Id, "auth.revoked"),
            revoked.GetProperty("arguments")[0].Deserialize<Revoked>(TestWorkshop.Json));
    }

    [Fact]
    public async Task RosterImportAddsEntriesNobodyHasClaimedYet()
    {
        var workshop = await NewWorkshopAsync();

        var imported = await ImportAsync(workshop, ConferenceRoster);

        Assert.Equal(new RosterImported(Added: 3, Updated: 0, Total: 4), imported);
        var roster = await RosterAsync(workshop);
        var adjoa = Assert.Single(roster, p => p.Name == "Adjoa Mensah");
        Assert.Equal(("adjoa@example.org", "gh", Role.Participant, "en", "Group 2", false), (adjoa.Email, adjoa.Delegation, adjoa.Role, adjoa.Language, adjoa.Group, adjoa.Joined));
        var moussa = Assert.Single(roster, p => p.Name == "Moussa Traoré");
        Assert.Equal((Role.Rapporteur, "bf", false), (moussa.Role, moussa.Delegation, moussa.Joined));
        Assert.Equal(4, (await WorkshopAsync(workshop)).ParticipantCount);
    }

    [Fact]
    public async Task JoiningUnderARosterNameClaimsThatEntry()
    {
        var workshop = await NewWorkshopAsync();
        await ImportAsync(workshop, ConferenceRoster);
        var entry = (await RosterAsync(workshop)).Single(p => p.Name == "Adjoa Mensah");

        // Names match whatever the case and spacing.
        var joined = await JoinAsync(workshop, new { code = workshop.Codes["participant"], displayName = "adjoa  MENSAH" });

        var participant = joined.GetProperty("participant").Deserialize<ParticipantView>(TestWorkshop.Json)!;
        Assert.Equal((entry.Id, "Adjoa Mensah", "Group 2", true), (participant.Id, participant.Name, participant.Group, participant.Joined));
        Assert.Equal(entry.Id, (await MeAsync(workshop, joined.GetProperty("token").GetString()!)).ParticipantId);
        var roster = await RosterAsync(workshop);
        Assert.Equal(4, roster.Count);
        Assert.Equal(entry with { Joined = true }, roster.Single(p => p.Id == entry.Id));
    }

    [Fact]
    public async Task RosterRapporteurCannotBeClaimedWithTheParticipantCode()
    {
        var workshop = await NewWorkshopAsync();
        await ImportAsync(workshop, ConferenceRoster);
        var before = await RosterAsync(workshop);

        using var response = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], displayName = "Moussa Traoré" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("join.role_mismatch", problem.GetProperty("code").GetString());
        Assert.Equal(before, await RosterAsync(workshop));

        // With the rapporteur code it is theirs.
        var joined = await workshop.JoinAsync("Moussa Traoré", "rapporteur");
        Assert.Equal((before.Single(p => p.Name == "Moussa Traoré").Id, "rapporteur"), (joined.Id, joined.Role));
    }

    [Fact]
    public async Task NameOfSomeoneWhoHasJoinedIsTaken()
    {
        var workshop = await NewWorkshopAsync();
        await workshop.JoinAsync("Kwame Asante", delegation: "gh");
        var before = await RosterAsync(workshop);

        using var response = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], displayName = "kwame asante" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("participant.name_taken", problem.GetProperty("code").GetString());
        Assert.Equal(before, await RosterAsync(workshop));
    }

    [Fact]
    public async Task RosterShowsEmailsToFacilitatorsOnly()
    {
        var workshop = await NewWorkshopAsync();
        await ImportAsync(workshop, ConferenceRoster);
        var participant = await workshop.JoinAsync("Curious Kossi", delegation: "tg");
        var observer = await workshop.JoinAsync("Watching Wendy", "observer");

        var byFacilitator = await RosterAsync(workshop);
        var byParticipant = await RosterAsync(workshop, participant.Token);
        var byObserver = await RosterAsync(workshop, observer.Token);

        Assert.Equal("adjoa@example.org", byFacilitator.Single(p => p.Name == "Adjoa Mensah").Email);
        Assert.Equal("moussa@example.org", byFacilitator.Single(p => p.Name == "Moussa Traoré").Email);
        Assert.Equal(byFacilitator.Select(p => p with { Email = null }), byParticipant);
        Assert.Equal(byParticipant, byObserver);
    }

    [Theory]
    [InlineData(80, 200)]
    [InlineData(81, 400)]
    public async Task DisplayNameIsAtMostEightyCharacters(int length, int status)
    {
        var workshop = await NewWorkshopAsync();
        var name = "Ama " + new string('a', length - 4);

        using var response = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], displayName = name });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);

        Assert.True(status == (int)response.StatusCode, body.ToString());
        if (status == 400)
        {
            Assert.Equal(("participant.name_too_long", "displayName"), (body.GetProperty("code").GetString(), body.GetProperty("field").GetString()));
            Assert.Equal(1, (await WorkshopAsync(workshop)).ParticipantCount);
        }
        else
        {
            Assert.Equal(name, body.GetProperty("participant").GetProperty("name").GetString());
        }
    }

    /// <summary>The kinds of refused token; null for none.</summary>
    private async Task<string?> TokenAsync(string kind)
    {
        var workshop = await node.WorkshopAsync();
        var member = await node.MemberAsync("Token Holder");
        var now = DateTime.UtcNow;
        return kind switch
        {
            "none" => null,
            "garbage" => "not-a-token",
            "tampered signature" => Tamper(member.Token),
            "signed with another key" => Mint(RandomNumberGenerator.GetBytes(32), workshop.Id, member, now.AddMinutes(-1), now.AddHours(1)),
            "unsigned" => Mint(null, workshop.Id, member, now.AddMinutes(-1), now.AddHours(1)),
            "expired" => Mint(node.SigningKey, workshop.Id, member, now.AddHours(-2), now.AddHours(-1)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>A token with the claims the node issues, signed (HMAC-SHA256) with <paramref name="key"/>, or unsigned when null.</summary>
    private static string Mint(byte[]? key, string workshopId, TestWorkshop.Member member, DateTime from, DateTime expires) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.Issuer,
            Audience = AuthOptions.Audience,
            IssuedAt = from,
            NotBefore = from,
            Expires = expires,
            Subject = new ClaimsIdentity(
            [
                new Claim(CollabClaims.Participant, member.Id),
                new Claim(CollabClaims.Workshop, workshopId),
                new Claim(CollabClaims.Role, member.Role),
                new Claim(CollabClaims.Name, member.Name),
            ]),
            SigningCredentials = key is null ? null : new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });

    /// <summary>The same header and claims with one signature byte flipped.</summary>
    private static string Tamper(string token)
    {
        var dot = token.LastIndexOf('.');
        var signature = Base64UrlEncoder.DecodeBytes(token[(dot + 1)..]);
        signature[0] ^= 0x01;
        return token[..(dot + 1)] + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>The SignalR JSON messages (separated by 0x1E) the server sends until it closes the socket.</summary>
    private static async Task<List<JsonElement>> ReceiveUntilClosedAsync(ClientWebSocket socket, CancellationToken patience, string expected)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, patience);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                received.Write(buffer, 0, result.Count);
            }
        }
        catch (WebSocketException)
        {
            // Closed without a close frame: closed all the same.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Waited {Patience.TotalSeconds} s for {expected}; received: {Encoding.UTF8.GetString(received.ToArray())}");
        }

        return [.. Encoding.UTF8.GetString(received.ToArray())
            .Split('\u001e', StringSplitOptions.RemoveEmptyEntries)
            .Select(message => JsonDocument.Parse(message).RootElement)];
    }

    private static async Task WithinPatienceAsync(Task task, string expected)
    {
        try
        {
            await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Waited {Patience.TotalSeconds} s for {expected}.");
        }
    }

    private static async Task<T> WithinPatienceAsync<T>(Task<T> task, string expected)
    {
        await WithinPatienceAsync((Task)task, expected);
        return await task;
    }

    private Task<TestWorkshop> NewWorkshopAsync() => TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });

    private async Task<RosterImported> ImportAsync(TestWorkshop workshop, string csv)
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workshops/{workshop.Id}/roster")
        {
            Content = new StringContent(csv, Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new("Bearer", workshop.Facilitator.Token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /roster answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<RosterImported>(text, TestWorkshop.Json)!;
    }

    private static async Task<JsonElement> JoinAsync(TestWorkshop workshop, object body)
    {
        using var response = await workshop.TryJoinAsync(body);
        var joined = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/join answered {(int)response.StatusCode}: {joined}");
        return joined;
    }

    private static Task<Caller> MeAsync(TestWorkshop workshop, string token) =>
        workshop.OkAsync<Caller>(token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/me");

    private static Task<WorkshopView> WorkshopAsync(TestWorkshop workshop) =>
        workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");

    private static Task<List<ParticipantView>> RosterAsync(TestWorkshop workshop, string? token = null) =>
        workshop.OkAsync<List<ParticipantView>>(token ?? workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/roster");

    private static Task<List<JoinCode>> JoinCodesAsync(TestWorkshop workshop) =>
        workshop.OkAsync<List<JoinCode>>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/join-codes");
}

/// <summary>An embedded node whose workshops take at most three people.</summary>
public sealed class ThreePeopleWebNode : KestrelWebNode
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Limits:MaxParticipants", "3");
    }
}

/// <summary>Bounds on who may join: a full workshop admits nobody new and changes nothing.</summary>
public sealed class IdentityLimitsTests(ThreePeopleWebNode node) : IClassFixture<ThreePeopleWebNode>
{
    [Fact]
    public async Task FourthPersonCannotJoinAWorkshopOfThree()
    {
        // The facilitator who created it is the first of the three.
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var second = await workshop.JoinAsync("Second Sena");
        await workshop.JoinAsync("Third Tiga");
        var before = await RosterAsync(workshop);

        using var response = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], displayName = "Fourth Fifi" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("workshop.full", problem.GetProperty("code").GetString());
        Assert.Equal(before, await RosterAsync(workshop));
        Assert.Equal(3, (await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}")).ParticipantCount);

        // Someone already in still gets back in from another device.
        using var rejoin = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], rejoinKey = second.RejoinKey });
        Assert.Equal(HttpStatusCode.OK, rejoin.StatusCode);
    }

    private static Task<List<ParticipantView>> RosterAsync(TestWorkshop workshop) =>
        workshop.OkAsync<List<ParticipantView>>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/roster");
}

/// <summary>An embedded node that takes two API calls per second per participant (bursts of four).</summary>
public sealed class TwoRequestsPerSecondWebNode : KestrelWebNode
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Auth:RequestsPerSecondPerParticipant", "2");
    }
}

/// <summary>The HTTP rate limit is per participant, never per IP address: a venue puts everyone behind one.</summary>
public sealed class IdentityRateLimitTests(TwoRequestsPerSecondWebNode node) : IClassFixture<TwoRequestsPerSecondWebNode>
{
    [Fact]
    public async Task ParticipantOverTheLimitIsRateLimitedWhileAnotherFromTheSameAddressIsNot()
    {
        var workshop = await node.WorkshopAsync();
        var busy = await node.MemberAsync("Busy Bintou");
        var calm = await node.MemberAsync("Calm Comlan");
        var me = $"/api/workshops/{workshop.Id}/me";

        // Far more than the burst of four in well under a second; the refusal is a problem with its code.
        HttpStatusCode? refused = null;
        for (var i = 0; i < 40 && refused is null; i++)
        {
            using var response = await workshop.SendAsync(busy.Token, HttpMethod.Get, me);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                refused = response.StatusCode;
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);
                Assert.Equal("rate.limited", problem.GetProperty("code").GetString());
                Assert.Equal("1", response.Headers.RetryAfter?.ToString());
            }
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);

        // Same client address (127.0.0.1), another participant: their own budget.
        using var other = await workshop.SendAsync(calm.Token, HttpMethod.Get, me);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
