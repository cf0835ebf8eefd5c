namespace Collab.Tests.Recommendations;

/// <summary>The recommendations plenary of the test workshop (<c>d2-recommendations</c>), run by its facilitator.</summary>
internal static class Plenary
{
    /// <summary>The plenary is live in <paramref name="phase"/> (endorsements are taken in <c>adopt</c>).</summary>
    public static async Task PhaseAsync(TestWorkshop workshop, string phase)
    {
        var session = $"/api/workshops/{workshop.Id}/sessions/d2-recommendations";
        var facilitator = workshop.Facilitator.Token;
        var now = await workshop.OkAsync<Collab.Sessions.SessionView>(facilitator, HttpMethod.Get, session);
        if (now.Status == Collab.Sessions.SessionStatus.Scheduled)
        {
            await workshop.OkAsync<Collab.Sessions.SessionView>(facilitator, HttpMethod.Post, session + "/start");
        }

        await workshop.OkAsync<Collab.Sessions.SessionView>(facilitator, HttpMethod.Post, session + "/phase", new { phase });
    }
}
