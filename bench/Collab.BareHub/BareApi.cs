using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Collab.BareHub;

/// <summary>Whoever joined, by token: the only "auth" of the yardstick.</summary>
internal sealed record Participant(string Id, string Name);

internal sealed class Participants
{
    private readonly ConcurrentDictionary<string, Participant> _byToken = new();

    public string Add(string name)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _byToken[token] = new Participant(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), name);
        return token;
    }

    public Participant? Find(string? token) => token is null ? null : _byToken.GetValueOrDefault(token);
}

/// <summary>The HTTP the bench calls, with the shapes of Collab's answers it reads (and nothing else).</summary>
internal static class BareApi
{
    public static void MapBareApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/ready", () => TypedResults.Ok("ready"));
        endpoints.MapPost("/api/workshops", (Participants participants) =>
        {
            var id = "w" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            return TypedResults.Ok(new
            {
                workshop = new { id },
                joinCodes = new[] { new { role = "participant", code = id } },
                facilitator = new { token = participants.Add("facilitator") },
            });
        });
        endpoints.MapPost("/api/workshops/{id}/documents", (string id, CreateDocumentRequest request, BareDocuments documents) =>
        {
            var document = documents.Create(id, request.Text ?? "");
            return TypedResults.Created($"/api/documents/{document.DocId}", new { docId = document.DocId });
        });
        endpoints.MapPost("/api/join", (JoinRequest request, Participants participants) =>
            TypedResults.Ok(new { token = participants.Add(request.DisplayName) }));
        endpoints.MapGet("/api/documents/{docId}/text", IResult (string docId, BareDocuments documents) =>
        {
            if (documents.Find(docId) is not { } document)
            {
                return TypedResults.NotFound();
            }

            lock (document.Gate)
            {
                return TypedResults.Ok(new { revision = document.Revision, text = document.Text, committedAt = (DateTimeOffset?)null });
            }
        });
    }
}

internal sealed record CreateDocumentRequest(string? Title, string? Text);

internal sealed record JoinRequest(string Code, string DisplayName);
