using System.Security.Cryptography;
using Collab.Workshops;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Collab.Web.Workshops;

/// <summary>
/// <c>/api/workshops</c>: create and read workshops. Authentication and roles arrive with the identity issue;
/// until then these endpoints are open, so run Collab on a network you trust.
/// </summary>
public static class WorkshopsApi
{
    public static RouteGroupBuilder MapWorkshopsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/workshops").WithTags("Workshops");
        group.MapPost("/", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        return group;
    }

    private static async Task<Created<WorkshopView>> CreateAsync(CreateWorkshopRequest request, IClusterClient cluster)
    {
        var id = NewWorkshopId();
        var view = await cluster.GetGrain<IWorkshopGrain>(id).CreateAsync(new CreateWorkshop(
            request.Title ?? "", request.Venue, request.StartsOn, request.EndsOn, request.Languages ?? []));
        return TypedResults.Created($"/api/workshops/{id}", view);
    }

    private static async Task<Ok<WorkshopView>> GetAsync(string id, IClusterClient cluster) =>
        TypedResults.Ok(await cluster.GetGrain<IWorkshopGrain>(id).GetAsync());

    /// <summary>12 characters of lower-case base32: short enough to read aloud, 60 bits against guessing.</summary>
    private static string NewWorkshopId()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        return string.Create(12, 0, static (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}

/// <summary>Body of <c>POST /api/workshops</c>.</summary>
public sealed record CreateWorkshopRequest(
    string? Title,
    string? Venue,
    DateOnly StartsOn,
    DateOnly EndsOn,
    IReadOnlyList<string>? Languages);
