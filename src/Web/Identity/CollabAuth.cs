using System.Threading.RateLimiting;
using Collab.Errors;
using Collab.Hosting.Configuration;
using Collab.Web.Errors;
using Collab.Workshops;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.Tokens;

namespace Collab.Web.Identity;

/// <summary>
/// Authentication at the edge: bearer tokens (JWT, HMAC-SHA256) for the HTTP API and the hub (which reads it from
/// <c>access_token</c>), checked against the workshop grain on every request and connection so that a removed
/// participant's token stops working at once. Plus the per-participant and join rate limits (never per IP).
/// </summary>
public static partial class CollabAuth
{
    public const string ParticipantPolicy = "participant";
    public const string JoinPolicy = "join";
    public const string SigningKeyKey = "Collab:Auth:SigningKey";
    private const string FailureItem = "collab.auth.failure";
    private const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static IHostApplicationBuilder AddCollabAuth(this IHostApplicationBuilder builder, CollabOptions collab)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collab);
        var options = LoadOptions(builder.Configuration, collab);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<JoinGate>();

        // Browsers send the hub's token in the query string (below), and ASP.NET Core's request lines ("Request
        // starting … ?access_token=…") print the query: tokens must never reach a log, so those lines are not written,
        // whatever Logging:LogLevel says. Metrics and spans (with the query redacted) describe requests instead.
        builder.Logging.AddFilter(RequestLogCategory, level => level >= LogLevel.Warning);
        builder.Services.AddSingleton<IUserIdProvider, CollabUserIdProvider>();
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = AuthOptions.Issuer,
                    ValidAudience = AuthOptions.Audience,
                    IssuerSigningKey = options.SigningKey,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = CollabClaims.Name,
                    RoleClaimType = CollabClaims.Role,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        // Browsers cannot set headers on WebSockets: SignalR sends the token in the query string.
                        if (context.HttpContext.Request.Path.StartsWithSegments("/hubs")
                            && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                    OnTokenValidated = async context =>
                    {
                        var caller = CollabClaims.CallerOf(context.Principal!);
                        try
                        {
                            await context.HttpContext.RequestServices.GetRequiredService<IClusterClient>()
                                .GetGrain<IWorkshopGrain>(caller.WorkshopId).AuthenticateAsync(caller.ParticipantId);

                            // A hub connection keeps its user while it is open: only the claims Collab reads, not the token.
                            context.Principal = CollabClaims.Keep(context.Principal!);
                        }
                        catch (UnauthenticatedException rejection)
                        {
                            context.HttpContext.Items[FailureItem] = rejection;
                            context.Fail(rejection.Message);
                        }
                        catch (UnavailableException unavailable)
                        {
                            // The workshop's storage is down: the grain said so with its typed answer.
                            context.HttpContext.Items[FailureItem] = unavailable;
                            context.Fail(unavailable.Message);
                        }
                        catch (Exception fault) when (ClusterFaults.IsUnavailable(fault))
                        {
                            // The token is fine but its workshop could not be asked whether the participant is still in
                            // (a silo restarting, storage blinking): that is not the caller's fault, and not a sign-in
                            // failure either. The challenge answers 503 server.unavailable, as every other call would.
                            context.HttpContext.Items[FailureItem] = ClusterFaults.Unavailable(
                                "The server could not reach the workshop's data in time to check your sign-in; send the request again.");
                            context.Fail("The workshop could not be reached.");
                        }
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var rejection = context.HttpContext.Items[FailureItem] as CollabException ?? context.AuthenticateFailure switch
                        {
                            SecurityTokenExpiredException => new UnauthenticatedException("auth.token_expired", "The token has expired; join again with your rejoin key."),
                            null => new UnauthenticatedException("auth.required", "Sign in first: send 'Authorization: Bearer <token>' from POST /api/join."),
                            _ => new UnauthenticatedException("auth.invalid_token", "The token is not valid (bad signature, issuer or format)."),
                        };
                        context.Response.StatusCode = CollabErrors.StatusCodeOf(rejection);
                        if (rejection is UnavailableException)
                        {
                            context.Response.Headers.RetryAfter = "1";
                        }

                        await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                        {
                            HttpContext = context.HttpContext,
                            ProblemDetails = CollabErrors.ToProblem(rejection),
                        });
                    },
                };
            });
        builder.Services.AddAuthorization();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ParticipantPolicy, http => RateLimitPartition.GetTokenBucketLimiter(
                http.User.FindFirst(CollabClaims.Workshop)?.Value + "/" + http.User.FindFirst(CollabClaims.Participant)?.Value,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RequestsPerSecondPerParticipant * 2,
                    TokensPerPeriod = options.RequestsPerSecondPerParticipant,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            limiter.AddPolicy(JoinPolicy, _ => RateLimitPartition.GetTokenBucketLimiter(
                "join",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.JoinsPerSecond * 10,
                    TokensPerPeriod = options.JoinsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = "1";
                var problem = CollabErrors.ToProblem(new ValidationFailedException("rate.limited", "Too many requests; wait a second and try again.", "request"));
                problem.Status = StatusCodes.Status429TooManyRequests;
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = problem,
                });
            };
        });
        return builder;
    }

    public static IApplicationBuilder UseCollabAuth(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    private static AuthOptions LoadOptions(IConfiguration configuration, CollabOptions collab)
    {
        var errors = new List<string>();
        var key = configuration[SigningKeyKey] is { Length: > 0 } configured
            ? Decode(configured, errors)
            : collab.Storage == StorageKind.Sqlite
                ? EmbeddedKey(collab.DataPath)
                : Fail(errors, $"{SigningKeyKey} is missing; every web node of a cluster needs the same key (32+ random bytes, base64), e.g. from: openssl rand -base64 32");
        var defaults = new AuthOptions { SigningKey = new SymmetricSecurityKey(new byte[32]) };
        var options = new AuthOptions
        {
            SigningKey = new SymmetricSecurityKey(key),
            TokenLifetime = TimeSpan.FromHours(CollabSettings.Int(configuration, "Collab:Auth:TokenLifetimeHours", (int)defaults.TokenLifetime.TotalHours, 1, 24 * 366, errors)),
            JoinsPerSecond = CollabSettings.Int(configuration, "Collab:Auth:JoinsPerSecond", defaults.JoinsPerSecond, 1, 100_000, errors),
            RequestsPerSecondPerParticipant = CollabSettings.Int(
                configuration, "Collab:Auth:RequestsPerSecondPerParticipant", defaults.RequestsPerSecondPerParticipant, 1, 100_000, errors),
        };
        return errors.Count == 0
            ? options
            : throw new CollabStartupException(
                "Collab cannot start: invalid configuration." + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)));
    }

    private static byte[] Decode(string base64, List<string> errors)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            return key.Length >= 32 ? key : Fail(errors, $"{SigningKeyKey} has {key.Length} bytes; it needs at least 32 (base64 of random bytes).");
        }
        catch (FormatException)
        {
            return Fail(errors, $"{SigningKeyKey} is not base64; generate one with: openssl rand -base64 32");
        }
    }

    /// <summary>Embedded mode: a key generated once and kept beside the data, so tokens survive restarts.</summary>
    private static byte[] EmbeddedKey(string dataPath)
    {
        Directory.CreateDirectory(dataPath);
        var file = Path.Combine(dataPath, "signing.key");
        if (File.Exists(file))
        {
            return Convert.FromBase64String(File.ReadAllText(file).Trim());
        }

        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var temp = file + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, file, overwrite: false);
        return key;
    }

    private static byte[] Fail(List<string> errors, string error)
    {
        errors.Add(error);
        return new byte[32];
    }
}
