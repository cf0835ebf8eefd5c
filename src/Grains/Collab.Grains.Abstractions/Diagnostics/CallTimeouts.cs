namespace Collab.Diagnostics;

/// <summary>
/// How long a caller waits for a grain's answer before giving up with <c>server.unavailable</c>. Orleans' default is
/// 30 s: a call sent the instant a silo dies (through its gateway, or forwarded to it) gets no answer at all, and the
/// participant's whole connection waited that long. The real-time calls (open, submit, subscribe, presence, session
/// views) answer in milliseconds when the cluster is healthy, so they wait a few seconds at most and are sent again
/// (an op resent with the same client sequence takes effect once). See README, "What a node failure costs a participant".
/// </summary>
public static class CallTimeouts
{
    /// <summary>For <c>[ResponseTimeout]</c> on the methods the hub and the push path call.</summary>
    public const string RealTime = "00:00:02";
}
