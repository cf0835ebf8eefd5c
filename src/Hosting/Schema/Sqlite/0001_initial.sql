-- Embedded mode: grain state and reminders in one SQLite file.
-- Applied once by SqliteDatabase.Migrate inside a transaction; PRAGMA user_version records the version.

CREATE TABLE grain_state (
    grain_id    TEXT    NOT NULL,           -- GrainId.ToString(): "type/key"
    state_name  TEXT    NOT NULL,           -- the [PersistentState] name
    payload     BLOB,                       -- NULL after a clear (the row stays so its version keeps counting)
    version     INTEGER NOT NULL,           -- the etag: optimistic concurrency
    updated_at  TEXT    NOT NULL,           -- UTC, ISO 8601, for people reading the file
    PRIMARY KEY (grain_id, state_name)
) WITHOUT ROWID;

CREATE TABLE reminders (
    grain_id      TEXT    NOT NULL,
    reminder_name TEXT    NOT NULL,
    grain_hash    INTEGER NOT NULL,         -- GrainId.GetUniformHashCode(), for range reads
    start_at      INTEGER NOT NULL,         -- UTC ticks
    period        INTEGER NOT NULL,         -- ticks
    version       INTEGER NOT NULL,
    PRIMARY KEY (grain_id, reminder_name)
) WITHOUT ROWID;

CREATE INDEX reminders_by_hash ON reminders (grain_hash);
