-- The op log: every committed edit of every document, in revision order. Never updated, never deleted.
CREATE TABLE op_log (
    doc_id       TEXT    NOT NULL,
    revision     INTEGER NOT NULL,
    op           TEXT    NOT NULL,          -- the operation in its JSON wire form
    client_id    TEXT    NOT NULL,
    client_seq   INTEGER NOT NULL,
    author_id    TEXT    NOT NULL,
    author_name  TEXT    NOT NULL,
    client_time  INTEGER,                   -- UTC ticks as the client reported them, if it did
    committed_at INTEGER NOT NULL,          -- UTC ticks, server time
    PRIMARY KEY (doc_id, revision)
) WITHOUT ROWID;

CREATE INDEX op_log_by_client ON op_log (doc_id, client_id, client_seq);
CREATE INDEX op_log_by_time ON op_log (doc_id, committed_at);
