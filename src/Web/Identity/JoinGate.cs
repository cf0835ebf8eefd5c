using System.Threading.RateLimiting;
using Collab.Errors;
using Collab.Web.Errors;
using Microsoft.Extensions.Caching.Memory;

namespace Collab.Web.Identity;

/// <summary>
/// How often a web node lets people try join codes, never per IP address (a venue shares one), so that a flood of made-up
/// codes cannot keep a room from joining with the real one:
/// <list type="bullet">
/// <item>each code this node knows to be valid has its own budget (<see cref="AuthOptions.JoinsPerSecond"/> per second,
/// bursts of ten times that: a room of 200 joining at once);</item>
/// <item>failed attempts (no such code, an unknown rejoin key, something that is not a code) share another, node-wide
/// budget of the same size; beyond it they are answered 429 <c>rate.limited</c> instead of 401;</item>
/// <item>looking up a code this node has not seen valid yet costs the cluster a read, so at most
/// <see cref="ConcurrentLookups"/> such lookups run at once, the others wait their turn (up to
/// <see cref="LookupQueue"/> of them; beyond that, 429).</item>
/// </list>
/// A valid code is learnt when it resolves, and when this node creates a workshop or shows or rotates its codes.
/// </summary>
public sealed class JoinGate : IDisposable
{
    public const int ConcurrentLookups = 8;
    public const int LookupQueue = 2_000;

    /// <summary>Valid codes remembered per node; a code forgotten is looked up again, nothing more.</summary>
    private const int KnownCodes = 20_000;

    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = KnownCodes });
    private readonly PartitionedRateLimiter<string> _perCode;
    private readonly TokenBucketRateLimiter _failures;
    private readonly ConcurrencyLimiter _lookups = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = ConcurrentLookups,
        QueueLimit = LookupQueue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    public JoinGate(AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var budget = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.JoinsPerSecond * 10,
            TokensPerPeriod = options.JoinsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        };
        _perCode = PartitionedRateLimiter.Create<string, string>(code => RateLimitPartition.GetTokenBucketLimiter(code, _ => budget));
        _failures = new TokenBucketRateLimiter(budget);
    }

    /// <summary>Remembers codes as valid (a workshop this node created, or whose codes it showed or rotated).</summary>
    public void Learn(IEnumerable<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        foreach (var code in codes)
        {
            _known.Set(code, true, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromDays(1) });
        }
    }

    /// <summary>
    /// Resolves a join code's workshop within the budgets; null when no workshop holds it (the attempt is counted as
    /// failed, see <see cref="Failed"/>).
    /// </summary>
    /// <exception cref="RateLimitedException">This code, or lookups of unknown codes, are over their budget.</exception>
    public async Task<string?> ResolveAsync(string code, Func<Task<string?>> resolve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        string? workshopId;
        if (_known.TryGetValue(code, out _))
        {
            Spend(code);
            workshopId = await resolve();
        }
        else
        {
            using (var lookup = await _lookups.AcquireAsync(1, cancellationToken))
            {
                if (!lookup.IsAcquired)
                {
                    throw new RateLimitedException("Too many people are signing in on this server right now; try again in a second.");
                }

                workshopId = await resolve();
            }

            if (workshopId is not null)
            {
                Learn([code]);
                Spend(code);
            }
        }

        if (workshopId is null)
        {
            _known.Remove(code);
        }

        return workshopId;
    }

    /// <summary>
    /// Counts a failed attempt; returns the refusal to answer: <paramref name="refusal"/> itself, or a 429 once failed
    /// attempts are over their budget.
    /// </summary>
    public CollabException Failed(CollabException refusal)
    {
        using var lease = _failures.AttemptAcquire();
        return lease.IsAcquired
            ? refusal
            : new RateLimitedException("Too many sign-in attempts with codes that do not work; wait a second and try again.");
    }

    public void Dispose()
    {
        _known.Dispose();
        _perCode.Dispose();
        _failures.Dispose();
        _lookups.Dispose();
    }

    private void Spend(string code)
    {
        using var lease = _perCode.AttemptAcquire(code);
        if (!lease.IsAcquired)
        {
            throw new RateLimitedException("Many people are joining with this code right now; try again in a second.");
        }
    }
}
