namespace Mixillo.Jobs.Store;

/// <summary>
/// The tables, as numbered migrations applied once each (in order, under a lock, recorded in
/// <c>schema_version</c>), in SQL that SQLite and PostgreSQL both accept. Times are Unix milliseconds
/// from the application's clock, never the database's, so tests control time.
/// </summary>
internal static class Schema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS transcode_jobs (
            job_id TEXT PRIMARY KEY,
            content_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            priority INTEGER NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            queued_at BIGINT,
            not_before BIGINT,
            started_at BIGINT,
            completed_at BIGINT,
            heartbeat_at BIGINT,
            worker_id TEXT,
            lease_token BIGINT NOT NULL,
            cancel_requested INTEGER NOT NULL,
            retry_count INTEGER NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_jobs_queue ON transcode_jobs (status, priority DESC, created_at);
        CREATE INDEX IF NOT EXISTS ix_jobs_user ON transcode_jobs (user_id, created_at DESC);
        CREATE INDEX IF NOT EXISTS ix_jobs_worker ON transcode_jobs (worker_id, status);
        CREATE INDEX IF NOT EXISTS ix_jobs_content ON transcode_jobs (content_id);
        CREATE TABLE IF NOT EXISTS queue_rate (
            id INTEGER PRIMARY KEY,
            tokens DOUBLE PRECISION NOT NULL,
            refilled_at BIGINT NOT NULL
        );
        INSERT INTO queue_rate (id, tokens, refilled_at) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING;
        """,
        "ALTER TABLE transcode_jobs ADD COLUMN stage TEXT NOT NULL DEFAULT 'fetch'",
        // Lists newest first (all jobs, or by status) and the recent-completions average of queue estimates,
        // as index scans rather than sorts of the whole table (measured by the api benchmark).
        """
        CREATE INDEX IF NOT EXISTS ix_jobs_created ON transcode_jobs (created_at, job_id);
        CREATE INDEX IF NOT EXISTS ix_jobs_status_created ON transcode_jobs (status, created_at, job_id);
        CREATE INDEX IF NOT EXISTS ix_jobs_finished ON transcode_jobs (status, completed_at);
        """,
        // The original design's word for a job's progress (documents are compact JSON, so the key is exact).
        """UPDATE transcode_jobs SET document = replace(document, '"percentage":', '"overall":')""",
        // Stats sum what jobs cost; the column is filled from the documents already stored.
        $"""
        ALTER TABLE transcode_jobs ADD COLUMN total_cost DOUBLE PRECISION;
        UPDATE transcode_jobs SET total_cost = {ActualCostOfDocument};
        """,
        // Fair share: a user's running jobs are counted at every claim, and other users' waiting jobs found by range.
        """
        CREATE INDEX IF NOT EXISTS ix_jobs_user_status ON transcode_jobs (user_id, status);
        CREATE INDEX IF NOT EXISTS ix_jobs_waiting_users ON transcode_jobs (status, priority, user_id, created_at);
        """,
        // One row per upload that a `complete` began: the single-flight marker and, once finished, the answer
        // every later `complete` of the upload repeats (see UploadCompletion).
        """
        CREATE TABLE IF NOT EXISTS upload_completions (
            upload_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            completer TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            finished_at BIGINT,
            content_id TEXT,
            job_id TEXT,
            code TEXT,
            message TEXT
        );
        """,
        // The job events (the outbox): written with the change, read by id (resuming) and by content; old ones go by time.
        $"""
        CREATE TABLE IF NOT EXISTS job_events (
            id {EventId},
            type TEXT NOT NULL,
            time BIGINT NOT NULL,
            content_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_events_content ON job_events (content_id, id);
        CREATE INDEX IF NOT EXISTS ix_events_time ON job_events (time);
        """,
        // Webhooks: endpoints, their deliveries (one per event and endpoint: the outbox senders claim from, due first),
        // and how far the dispatcher got in job_events; it starts at the newest event, so no history is replayed.
        """
        CREATE TABLE IF NOT EXISTS webhook_endpoints (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            secret TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            disabled_reason TEXT,
            failing_since BIGINT
        );
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            id TEXT PRIMARY KEY,
            endpoint_id TEXT NOT NULL,
            event_id BIGINT NOT NULL,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            created_at BIGINT NOT NULL,
            window_start BIGINT NOT NULL,
            next_attempt_at BIGINT,
            last_attempt_at BIGINT,
            last_response_code INTEGER,
            last_response_body TEXT,
            last_error TEXT,
            delivered_at BIGINT,
            lease_token BIGINT NOT NULL,
            UNIQUE (endpoint_id, event_id)
        );
        CREATE INDEX IF NOT EXISTS ix_deliveries_due ON webhook_deliveries (status, next_attempt_at);
        CREATE INDEX IF NOT EXISTS ix_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
        CREATE TABLE IF NOT EXISTS webhook_cursor (
            id INTEGER PRIMARY KEY,
            position BIGINT NOT NULL
        );
        INSERT INTO webhook_cursor (id, position) SELECT 1, (SELECT COALESCE(max(id), 0) FROM job_events) WHERE NOT EXISTS (SELECT 1 FROM webhook_cursor);
        """,
        // Event positions apart from ids: on PostgreSQL writers insert without one and readers number what has committed
        // (no lock between the transactions that change jobs); SQLite's writers, taking turns, number their own. Positions
        // so far are the ids, so every cursor and Last-Event-ID given out stays valid.
        """
        ALTER TABLE job_events ADD COLUMN position BIGINT;
        UPDATE job_events SET position = id;
        CREATE UNIQUE INDEX IF NOT EXISTS ix_events_position ON job_events (position);
        CREATE INDEX IF NOT EXISTS ix_events_content_position ON job_events (content_id, position);
        CREATE INDEX IF NOT EXISTS ix_events_unnumbered ON job_events (id) WHERE position IS NULL;
        DROP INDEX IF EXISTS ix_events_content;
        """,
    ];

    /// <summary>In a migration, replaced by the store's SQL for the actual cost's total read from <c>document</c>.</summary>
    public const string ActualCostOfDocument = "{actual_cost_of_document}";

    /// <summary>In a migration, replaced by the store's column type for a key the database assigns in increasing order.</summary>
    public const string EventId = "{event_id}";

    public const string CreateVersionTable = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
}
