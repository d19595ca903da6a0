namespace Mixillo.Jobs.Model;

public enum CancelOutcome
{
    /// <summary>The job was waiting and is now cancelled.</summary>
    Cancelled,

    /// <summary>The job is running; its worker will stop it.</summary>
    Requested,
}
