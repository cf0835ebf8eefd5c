-- =============================================================================
-- 0001_orleans.sql -- Orleans ADO.NET provider schema for PostgreSQL (15+)
--
-- Creates the tables used by the Orleans 10.x ADO.NET providers
-- (Microsoft.Orleans.Clustering.AdoNet, .Persistence.AdoNet, .Reminders.AdoNet,
-- ADO invariant "Npgsql") and fills the OrleansQuery table those providers load
-- at start-up ("SELECT QueryKey, QueryText FROM OrleansQuery").
--
-- The query texts below were written for this project against the providers'
-- documented contract: the query keys, the named @parameters each provider
-- binds, and the result columns it reads. They are not taken from any
-- published Orleans script.
--
-- Notes on the contract:
--   * Every DateTime the providers bind is sent by Npgsql as timestamptz
--     (DbType.DateTime + DateTimeKind.Utc), so all instants are stored as
--     timestamptz; nothing depends on the session TimeZone.
--   * Version / ETag values are int4 on both sides.
--   * OrleansQuery, QueryKey and QueryText are deliberately unquoted: the
--     providers query them unquoted, so PostgreSQL folds them to lower case.
--
-- Safe to run more than once (IF NOT EXISTS / ON CONFLICT ... DO UPDATE).
-- Uses nothing that cannot run inside a single transaction.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Query registry
-- -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT pk_orleans_query PRIMARY KEY (QueryKey)
);

-- -----------------------------------------------------------------------------
-- Clustering
-- -----------------------------------------------------------------------------
-- One row per cluster (DeploymentId = ClusterId). "version" is the membership
-- table version / ETag; every membership change increments it by one, guarded
-- by the caller's expected value (optimistic concurrency).
CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deployment_id text         NOT NULL,
    version       integer      NOT NULL DEFAULT 0,
    changed_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_orleans_membership_version PRIMARY KEY (deployment_id)
);

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deployment_id   text         NOT NULL,
    address         varchar(45)  NOT NULL,   -- textual IPv4/IPv6 address
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       text         NOT NULL,
    host_name       text         NOT NULL,
    status          integer      NOT NULL,   -- Orleans.Runtime.SiloStatus
    proxy_port      integer      NULL,
    suspect_times   text         NULL,       -- "silo,date|silo,date|..." as written by Orleans
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    CONSTRAINT pk_orleans_membership PRIMARY KEY (deployment_id, address, port, generation),
    CONSTRAINT fk_orleans_membership_version FOREIGN KEY (deployment_id)
        REFERENCES orleans_membership_version (deployment_id)
);

-- -----------------------------------------------------------------------------
-- Grain persistence
-- -----------------------------------------------------------------------------
-- A grain state row is identified by every key part the provider sends. The
-- two hashes plus N0/N1 make lookups selective; the strings are compared in
-- full. The unique index covers the strings through md5() so that long grain
-- type names or string keys never hit the btree entry size limit, and NULLS
-- NOT DISTINCT makes a NULL key extension behave like a value.
CREATE TABLE IF NOT EXISTS orleans_storage
(
    service_id                 text         NOT NULL,
    grain_type_hash            integer      NOT NULL,
    grain_id_hash              integer      NOT NULL,
    grain_id_n0                bigint       NOT NULL,
    grain_id_n1                bigint       NOT NULL,
    grain_type_string          text         NOT NULL,
    grain_id_extension_string  text         NULL,
    payload_binary             bytea        NULL,   -- NULL = state cleared
    version                    integer      NOT NULL,
    modified_at                timestamptz  NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_orleans_storage_grain
    ON orleans_storage (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1,
                        md5(grain_type_string), md5(grain_id_extension_string))
    NULLS NOT DISTINCT;

-- -----------------------------------------------------------------------------
-- Reminders
-- -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS orleans_reminders
(
    service_id    text         NOT NULL,
    grain_id      text         NOT NULL,
    reminder_name text         NOT NULL,
    start_time    timestamptz  NOT NULL,
    period        bigint       NOT NULL,   -- milliseconds
    grain_hash    integer      NOT NULL,   -- uniform hash, stored as signed int4
    version       integer      NOT NULL,
    CONSTRAINT pk_orleans_reminders PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS ix_orleans_reminders_ring
    ON orleans_reminders (service_id, grain_hash);

-- -----------------------------------------------------------------------------
-- Query texts
-- -----------------------------------------------------------------------------
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES

-- ===== Clustering ============================================================

-- Creates the cluster's version row if missing. Returns one boolean: inserted?
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (deployment_id, version, changed_at)
    VALUES (@DeploymentId, 0, now())
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS "Inserted";
$q$),

-- Adds a silo row. @Version is the table version the caller read; the version
-- row is bumped only if it still holds that value and the silo row is new.
-- Returns one boolean: success?
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE orleans_membership_version AS v
       SET version = v.version + 1,
           changed_at = now()
     WHERE v.deployment_id = @DeploymentId
       AND v.version = @Version
       AND NOT EXISTS (SELECT 1
                         FROM orleans_membership AS m
                        WHERE m.deployment_id = @DeploymentId
                          AND m.address = @Address
                          AND m.port = @Port
                          AND m.generation = @Generation)
    RETURNING v.deployment_id
), added AS (
    INSERT INTO orleans_membership
           (deployment_id, address, port, generation, silo_name, host_name,
            status, proxy_port, start_time, i_am_alive_time)
    SELECT b.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName,
           @Status, @ProxyPort, @StartTime, @IAmAliveTime
      FROM bumped AS b
    ON CONFLICT ON CONSTRAINT pk_orleans_membership DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM added) AS "Inserted";
$q$),

-- Changes a silo row's status / suspicions / liveness under the same
-- optimistic check on the table version. Returns one boolean: success?
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE orleans_membership_version AS v
       SET version = v.version + 1,
           changed_at = now()
     WHERE v.deployment_id = @DeploymentId
       AND v.version = @Version
       AND EXISTS (SELECT 1
                     FROM orleans_membership AS m
                    WHERE m.deployment_id = @DeploymentId
                      AND m.address = @Address
                      AND m.port = @Port
                      AND m.generation = @Generation)
    RETURNING v.deployment_id
), changed AS (
    UPDATE orleans_membership AS m
       SET status = @Status,
           suspect_times = @SuspectTimes,
           i_am_alive_time = @IAmAliveTime
      FROM bumped AS b
     WHERE m.deployment_id = b.deployment_id
       AND m.address = @Address
       AND m.port = @Port
       AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM changed) AS "Updated";
$q$),

-- Heartbeat only; deliberately does not touch the table version.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
   SET i_am_alive_time = @IAmAliveTime
 WHERE deployment_id = @DeploymentId
   AND address = @Address
   AND port = @Port
   AND generation = @Generation;
$q$),

-- Always one row per existing cluster: the version, plus the silo's columns
-- (all NULL when the silo is unknown; the provider tests StartTime).
('MembershipReadRowKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
  FROM orleans_membership_version AS v
  LEFT JOIN orleans_membership AS m
         ON m.deployment_id = v.deployment_id
        AND m.address = @Address
        AND m.port = @Port
        AND m.generation = @Generation
 WHERE v.deployment_id = @DeploymentId;
$q$),

-- Version repeated on every silo row; a single all-NULL silo row when empty.
('MembershipReadAllKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
  FROM orleans_membership_version AS v
  LEFT JOIN orleans_membership AS m
         ON m.deployment_id = v.deployment_id
 WHERE v.deployment_id = @DeploymentId;
$q$),

-- Gateways: silos in the given status (Active) that expose a proxy port.
('GatewaysQueryKey', $q$
SELECT m.address    AS "Address",
       m.proxy_port AS "ProxyPort",
       m.generation AS "Generation"
  FROM orleans_membership AS m
 WHERE m.deployment_id = @DeploymentId
   AND m.status = @Status
   AND m.proxy_port > 0;
$q$),

-- Removes a whole cluster (silo rows first, then its version row).
('DeleteMembershipTableEntriesKey', $q$
WITH silos AS (
    DELETE FROM orleans_membership
     WHERE deployment_id = @DeploymentId
)
DELETE FROM orleans_membership_version
 WHERE deployment_id = @DeploymentId;
$q$),

-- Bulk form (used only when CleanupDefunctSiloEntryKey is absent): dead silos
-- whose last heartbeat is older than the cut-off.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
 WHERE deployment_id = @DeploymentId
   AND status = 6
   AND i_am_alive_time < @IAmAliveTime;
$q$),

-- Per-silo form: deletes one dead silo row only if the values the provider
-- inspected (start time, heartbeat, suspicions) are still unchanged.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
 WHERE deployment_id = @DeploymentId
   AND address = @Address
   AND port = @Port
   AND generation = @Generation
   AND status = 6
   AND start_time = @StartTime
   AND i_am_alive_time = @IAmAliveTime
   -- A silo inserted without suspicions has NULL here, and the provider may send '' for "none".
   AND COALESCE(suspect_times, '') = COALESCE(@SuspectTimes, '');
$q$),

-- ===== Grain persistence =====================================================

-- Row present: NULL PayloadBinary means "cleared" but Version is still the ETag.
('ReadFromStorageKey', $q$
SELECT s.payload_binary AS "PayloadBinary",
       s.version        AS "Version"
  FROM orleans_storage AS s
 WHERE s.service_id = @ServiceId
   AND s.grain_type_hash = @GrainTypeHash
   AND s.grain_id_hash = @GrainIdHash
   AND s.grain_id_n0 = @GrainIdN0
   AND s.grain_id_n1 = @GrainIdN1
   AND s.grain_type_string = @GrainTypeString
   AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString;
$q$),

-- NULL @GrainStateVersion: create the row (version 1) unless one exists.
-- Otherwise: replace the payload iff the stored version equals it.
-- Always one row; NewGrainStateVersion is NULL on an ETag conflict.
('WriteToStorageKey', $q$
WITH replaced AS (
    UPDATE orleans_storage AS s
       SET payload_binary = @PayloadBinary,
           version = s.version + 1,
           modified_at = now()
     WHERE @GrainStateVersion IS NOT NULL
       AND s.version = @GrainStateVersion
       AND s.service_id = @ServiceId
       AND s.grain_type_hash = @GrainTypeHash
       AND s.grain_id_hash = @GrainIdHash
       AND s.grain_id_n0 = @GrainIdN0
       AND s.grain_id_n1 = @GrainIdN1
       AND s.grain_type_string = @GrainTypeString
       AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING s.version
), created AS (
    INSERT INTO orleans_storage
           (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1,
            grain_type_string, grain_id_extension_string, payload_binary, version, modified_at)
    SELECT @ServiceId, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           @GrainTypeString, @GrainIdExtensionString, @PayloadBinary, 1, now()
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM replaced
        UNION ALL
        SELECT version FROM created
        LIMIT 1) AS "NewGrainStateVersion";
$q$),

-- Same rules as the write, but stores a NULL payload (row and version are
-- kept so the returned ETag stays valid). NULL on conflict.
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE orleans_storage AS s
       SET payload_binary = NULL,
           version = s.version + 1,
           modified_at = now()
     WHERE @GrainStateVersion IS NOT NULL
       AND s.version = @GrainStateVersion
       AND s.service_id = @ServiceId
       AND s.grain_type_hash = @GrainTypeHash
       AND s.grain_id_hash = @GrainIdHash
       AND s.grain_id_n0 = @GrainIdN0
       AND s.grain_id_n1 = @GrainIdN1
       AND s.grain_type_string = @GrainTypeString
       AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING s.version
), created AS (
    INSERT INTO orleans_storage
           (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1,
            grain_type_string, grain_id_extension_string, payload_binary, version, modified_at)
    SELECT @ServiceId, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           @GrainTypeString, @GrainIdExtensionString, NULL, 1, now()
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM cleared
        UNION ALL
        SELECT version FROM created
        LIMIT 1) AS "NewGrainStateVersion";
$q$),

-- Used when the provider runs with DeleteStateOnClear = true. Removes the row
-- iff the stored version matches and returns a value different from the old
-- ETag; a NULL ETag succeeds (returns 0) only when there is no row. NULL on
-- conflict.
('DeleteStorageKey', $q$
WITH removed AS (
    DELETE FROM orleans_storage AS s
     WHERE @GrainStateVersion IS NOT NULL
       AND s.version = @GrainStateVersion
       AND s.service_id = @ServiceId
       AND s.grain_type_hash = @GrainTypeHash
       AND s.grain_id_hash = @GrainIdHash
       AND s.grain_id_n0 = @GrainIdN0
       AND s.grain_id_n1 = @GrainIdN1
       AND s.grain_type_string = @GrainTypeString
       AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING s.version + 1 AS version
)
SELECT COALESCE(
         (SELECT version FROM removed),
         CASE WHEN @GrainStateVersion IS NULL
               AND NOT EXISTS (SELECT 1
                                 FROM orleans_storage AS s
                                WHERE s.service_id = @ServiceId
                                  AND s.grain_type_hash = @GrainTypeHash
                                  AND s.grain_id_hash = @GrainIdHash
                                  AND s.grain_id_n0 = @GrainIdN0
                                  AND s.grain_id_n1 = @GrainIdN1
                                  AND s.grain_type_string = @GrainTypeString
                                  AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString)
              THEN 0
         END) AS "NewGrainStateVersion";
$q$),

-- ===== Reminders =============================================================

-- Insert or replace; returns the row's new Version (the reminder ETag).
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminders AS r
       (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 1)
ON CONFLICT ON CONSTRAINT pk_orleans_reminders DO UPDATE
   SET start_time = EXCLUDED.start_time,
       period = EXCLUDED.period,
       grain_hash = EXCLUDED.grain_hash,
       version = r.version + 1
RETURNING r.version AS "Version";
$q$),

('ReadReminderRowsKey', $q$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_time    AS "StartTime",
       r.period        AS "Period",
       r.version       AS "Version"
  FROM orleans_reminders AS r
 WHERE r.service_id = @ServiceId
   AND r.grain_id = @GrainId;
$q$),

('ReadReminderRowKey', $q$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_time    AS "StartTime",
       r.period        AS "Period",
       r.version       AS "Version"
  FROM orleans_reminders AS r
 WHERE r.service_id = @ServiceId
   AND r.grain_id = @GrainId
   AND r.reminder_name = @ReminderName;
$q$),

-- Ring range (BeginHash, EndHash] when BeginHash < EndHash (signed int4).
('ReadRangeRows1Key', $q$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_time    AS "StartTime",
       r.period        AS "Period",
       r.version       AS "Version"
  FROM orleans_reminders AS r
 WHERE r.service_id = @ServiceId
   AND r.grain_hash > @BeginHash
   AND r.grain_hash <= @EndHash;
$q$),

-- Wrapping ring range: (BeginHash, max] plus [min, EndHash]; whole ring when
-- BeginHash = EndHash.
('ReadRangeRows2Key', $q$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_time    AS "StartTime",
       r.period        AS "Period",
       r.version       AS "Version"
  FROM orleans_reminders AS r
 WHERE r.service_id = @ServiceId
   AND (r.grain_hash > @BeginHash OR r.grain_hash <= @EndHash);
$q$),

-- Deletes iff the ETag (@Version) matches. Returns one boolean: deleted?
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM orleans_reminders
     WHERE service_id = @ServiceId
       AND grain_id = @GrainId
       AND reminder_name = @ReminderName
       AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM removed) AS "Deleted";
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminders
 WHERE service_id = @ServiceId;
$q$)

ON CONFLICT (QueryKey) DO UPDATE
   SET QueryText = EXCLUDED.QueryText;
