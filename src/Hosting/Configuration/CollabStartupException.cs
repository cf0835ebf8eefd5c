namespace Collab.Hosting.Configuration;

/// <summary>
/// The process cannot start as configured. The message names each setting at fault and what it expects,
/// so that an operator can fix it without reading code. Hosts print it and exit with code 2.
/// </summary>
public sealed class CollabStartupException(string message, Exception? inner = null) : Exception(message, inner);
