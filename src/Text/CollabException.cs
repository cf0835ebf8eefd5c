namespace Collab.Errors;

/// <summary>
/// A domain rule said no. Every rejection a caller can act on is one of these, with a stable
/// <see cref="Code"/> (e.g. <c>workshop.title_too_long</c>) that clients switch on and a message a person can read.
/// The edge maps the subclasses to HTTP status codes and hub errors in one place; a rejected command changes nothing.
/// </summary>
[GenerateSerializer, Alias("collab.CollabException")]
public abstract class CollabException : Exception
{
    protected CollabException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Stable, dotted, lower-case error code; never reworded once published.</summary>
    [Id(0)]
    public string Code { get; private set; }
}

/// <summary>The input breaks a rule (too long, missing, out of range). Maps to 400.</summary>
[GenerateSerializer, Alias("collab.ValidationFailedException")]
public sealed class ValidationFailedException(string code, string message, string field)
    : CollabException(code, message)
{
    /// <summary>The input field at fault, in the caller's vocabulary (e.g. <c>title</c>).</summary>
    [Id(0)]
    public string Field { get; private set; } = field;
}

/// <summary>The thing addressed does not exist (or is not visible to the caller). Maps to 404.</summary>
[GenerateSerializer, Alias("collab.NotFoundException")]
public sealed class NotFoundException(string code, string message) : CollabException(code, message);

/// <summary>The command conflicts with the current state (e.g. creating what already exists). Maps to 409.</summary>
[GenerateSerializer, Alias("collab.ConflictException")]
public sealed class ConflictException(string code, string message) : CollabException(code, message);

/// <summary>
/// The service cannot take the command right now (e.g. a document is reloading after a storage fault); nothing
/// was changed and the same command may be sent again. Maps to 503 and the hub code <c>server.unavailable</c>.
/// </summary>
[GenerateSerializer, Alias("collab.UnavailableException")]
public sealed class UnavailableException(string code, string message) : CollabException(code, message);

/// <summary>The caller is known but their role or membership does not allow the command. Maps to 403.</summary>
[GenerateSerializer, Alias("collab.ForbiddenException")]
public sealed class ForbiddenException(string code, string message) : CollabException(code, message);

/// <summary>The caller's identity is no longer valid (removed from the workshop, bad join code). Maps to 401.</summary>
[GenerateSerializer, Alias("collab.UnauthenticatedException")]
public sealed class UnauthenticatedException(string code, string message) : CollabException(code, message);
