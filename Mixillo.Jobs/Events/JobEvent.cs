using System.Text.Json.Nodes;

namespace Mixillo.Jobs.Events;

/// <summary>
/// One change of a job that a user or a backend cares about, as the store keeps it (the outbox) and as server-sent
/// events and webhooks carry it. Recorded by the job's own methods and written in the transaction that commits the
/// change, so an event exists exactly when its change does.
/// </summary>
/// <param name="Id">The event's position: unique, and increasing in the order events become visible to readers, so a reader that saw id N has seen every earlier event.</param>
/// <param name="Data">What the type says (see <see cref="JobEventTypes"/>); an empty object when it says nothing more.</param>
public sealed record JobEvent(long Id, string Type, DateTimeOffset Time, string ContentId, string JobId, string UserId, JsonObject Data);

/// <summary>An event a job method recorded, before the store gives it a position.</summary>
public sealed record RecordedEvent(string Type, DateTimeOffset Time, JsonObject Data);
