namespace Mixillo.Errors;

/// <summary>Where an error comes from, as the README's table groups them.</summary>
public enum ErrorArea
{
    Media,
    Upload,
    Job,
    Storage,
    Api,
}
