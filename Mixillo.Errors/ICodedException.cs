namespace Mixillo.Errors;

/// <summary>An exception that carries its catalogue entry, so the API and the job log need no table of their own.</summary>
public interface ICodedException
{
    ErrorCode Error { get; }
}
