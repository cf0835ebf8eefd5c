namespace Collab.Web.Realtime;

/// <summary>
/// Tells the push path when grains may have lost their activations, so that the web node subscribes again at once
/// instead of at its next renewal (up to <see cref="RealtimeOptions.SubscriptionRenewal"/> later, during which its
/// readers would see no one's edits). Two signals from the node's Orleans client: a gateway connection closed (a silo
/// died or stopped, seen the instant its socket drops) and the cluster manifest lost a silo (it was declared dead, so
/// its grains can now be activated elsewhere; Orleans' client refreshes the manifest every second, see
/// <c>ClusterTuning</c>). The first comes before the grains can move, the second when they can: the push path keeps
/// retrying between the two (<see cref="SubscriptionSet{TKey}.RenewSoon"/>).
/// </summary>
public sealed partial class ClusterChanges(IServiceProvider services, ILogger<ClusterChanges> logger)
    : BackgroundService, IClusterConnectionStatusObserver
{
    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(1);

    /// <summary>Raised with a reason when grains may have moved.</summary>
    public event Action<string>? Changed;

    void IClusterConnectionStatusObserver.NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
            Raise("a gateway connection closed");
        }
        else if (connectionRecovered)
        {
            Raise("the connection to the cluster is back");
        }
    }

    void IClusterConnectionStatusObserver.NotifyClusterConnectionLost() => Raise("the connection to the cluster was lost");

    /// <summary>Follows the cluster manifest and raises <see cref="Changed"/> when a silo leaves it.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IClusterManifestProvider>() is not { } manifests)
        {
            return;
        }

        HashSet<SiloAddress>? silos = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var manifest in manifests.Updates.WithCancellation(stoppingToken))
                {
                    var current = manifest.Silos.Keys.ToHashSet();
                    if (silos is not null && silos.Any(silo => !current.Contains(silo)))
                    {
                        Raise("a silo left the cluster");
                    }

                    silos = current;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Never ends the loop (nor, through the host, the node): follow the manifest again in a moment.
                LogWatchFailed(logger, e);
                await Task.Delay(AfterFailure, stoppingToken);
            }
        }
    }

    private void Raise(string reason)
    {
        LogChanged(logger, reason);
        Changed?.Invoke(reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster changed ({Reason}): subscribing again to this node's grains now")]
    private static partial void LogChanged(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following the cluster manifest failed; following it again")]
    private static partial void LogWatchFailed(ILogger logger, Exception error);
}
