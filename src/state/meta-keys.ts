/**
 * Every name the pipeline keeps in the state store's meta table (`StateStore.getMeta`/`setMeta`),
 * in one place, so that no two parts can pick the same name or spell one differently.
 */
export const META = {
  /** Whether the streaming run stopped cleanly: 'true', or 'false' while one runs (see SyncRunner). */
  runnerClean: 'runner.clean',
  /** The sweep of users deleted during a backfill over a populated state store: 'pending' or 'done'. */
  backfillSweep: 'backfill.sweep',
  /** What only the running process knows, as JSON, for `status` in another process. */
  statusPending: 'status.pending',
  /** The last verify's summary, as JSON (`status` and the status page show it). */
  lastVerify: 'verify.last',
  /** The dispatch pace a run settled at (calls/s): the next run's start. */
  governorRate: 'dispatch.callsPerSecond',
  /** High availability: the MySQL server id the active replica reads the binlog with. */
  haServerId: 'ha.source.serverId',
  /** The state store's fingerprint key (base64): only the store itself reads it. */
  fingerprintKey: 'fingerprint.key',
  /** The canary users created and not yet removed, as a JSON list of subs. */
  canaryPending: 'canary.pending',
  /** The last canary that passed, as JSON (the configuration fingerprint and the time). */
  canaryPassed: 'canary.passed',
} as const;
