-- The op log: every committed edit of every document, in revision order. Never updated, never deleted.
-- The primary key is the single-writer guard: two activations of one document cannot both append a revision.
CREATE TABLE IF NOT EXISTS collab_op_log
(
    doc_id       text        NOT NULL,
    revision     integer     NOT NULL,
    op           text        NOT NULL,   -- the operation in its JSON wire form
    client_id    text        NOT NULL,
    client_seq   bigint      NOT NULL,
    author_id    text        NOT NULL,
    author_name  text        NOT NULL,
    client_time  timestamptz NULL,
    committed_at timestamptz NOT NULL,
    CONSTRAINT pk_collab_op_log PRIMARY KEY (doc_id, revision)
);

CREATE INDEX IF NOT EXISTS ix_collab_op_log_client ON collab_op_log (doc_id, client_id, client_seq);
CREATE INDEX IF NOT EXISTS ix_collab_op_log_time ON collab_op_log (doc_id, committed_at);
