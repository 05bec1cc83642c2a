import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The domain events a push turns into (docs/architecture.md step 5). */
export type DomainEvent = 'user.created' | 'user.updated' | 'user.deleted' | 'email.changed' | 'password.changed' | 'password.revoked' | 'mfa.changed';

/** Every metric cidaas-sync exports, on one registry per process (or per test). */
export class SyncMetrics {
  readonly registry = new Registry();
  readonly domainEvents = new Counter({ name: 'cidaas_sync_domain_events_total', help: 'Domain events pushed to cidaas, by type', labelNames: ['type'] as const, registers: [this.registry] });
  readonly pushes = new Counter({ name: 'cidaas_sync_pushes_total', help: 'Users sent to cidaas, by outcome (created, updated, failed, deleted, absent)', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly suppressed = new Counter({ name: 'cidaas_sync_unchanged_total', help: 'Dirty users whose fingerprints were unchanged: no call made', registers: [this.registry] });
  readonly staleReads = new Counter({ name: 'cidaas_sync_stale_reads_total', help: 'Reads older than the log, retried', registers: [this.registry] });
  readonly retries = new Counter({ name: 'cidaas_sync_retries_total', help: 'cidaas calls retried, by endpoint and reason', labelNames: ['endpoint', 'reason'] as const, registers: [this.registry] });
  readonly totpReenrol = new Counter({ name: 'cidaas_sync_totp_reenrol_pushes_total', help: 'Users pushed with MFA on but no TOTP seed (cidaas.compat.totpImport flag-only): they must enrol their authenticator again. Counts pushes; verify lists the users', registers: [this.registry] });
  readonly strandedTotp = new Counter({ name: 'cidaas_sync_stranded_totp_total', help: 'TOTP removals pushed while cidaas.compat.totpRemoval is unsupported: the seed stays in cidaas (the old authenticator keeps working) until an admin resets the user\'s MFA there. Counts pushes; verify lists the users', registers: [this.registry] });
  readonly strandedIdentities = new Counter({ name: 'cidaas_sync_stranded_identities_total', help: 'Social links removed in legacy that stay in cidaas (cidaas.compat.identities add: no call removes one), by provider: counted per link at each push of its user; verify lists the users', labelNames: ['provider'] as const, registers: [this.registry] });
  readonly throttled = new Counter({ name: 'cidaas_sync_throttled_total', help: 'cidaas answers 429', registers: [this.registry] });
  readonly deadLetters = new Gauge({ name: 'cidaas_sync_dead_letters', help: 'Users in the dead-letter list', registers: [this.registry] });
  readonly deadLettersByReason = new Gauge({ name: 'cidaas_sync_dead_letters_by_reason', help: 'Users in the dead-letter list, by kind of reason (see `cidaas-sync dlq list`)', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly pendingUsers = new Gauge({ name: 'cidaas_sync_pending_users', help: 'Dirty or in-flight users', registers: [this.registry] });
  readonly lagBytes = new Gauge({ name: 'cidaas_sync_lag_bytes', help: 'Log bytes between the acknowledged position and the end of the log', registers: [this.registry] });
  readonly lagSeconds = new Gauge({ name: 'cidaas_sync_lag_seconds', help: 'Age of the oldest unpushed change, in seconds (0 when nothing is pending)', registers: [this.registry] });
  readonly retainedBytes = new Gauge({ name: 'cidaas_sync_source_retained_bytes', help: 'Log bytes the source server keeps for us (PostgreSQL slot WAL)', registers: [this.registry] });
  readonly backfillDone = new Gauge({ name: 'cidaas_sync_backfill_users_done', help: 'Users the backfill has processed', registers: [this.registry] });
  readonly backfillTotal = new Gauge({ name: 'cidaas_sync_backfill_users_expected', help: 'Users the backfill expects (estimate)', registers: [this.registry] });
  readonly concurrency = new Gauge({ name: 'cidaas_sync_dispatch_concurrency', help: 'Batches allowed in flight now (adaptive)', registers: [this.registry] });
  readonly commitLagSeconds = new Gauge({ name: 'cidaas_sync_source_commit_lag_seconds', help: 'Seconds from the source commit time of the oldest change not yet checkpointed to now (0 when every change received is checkpointed)', registers: [this.registry] });
  readonly checkpointTimestamp = new Gauge({ name: 'cidaas_sync_checkpoint_timestamp_seconds', help: 'Unix time at which the checkpoint (the source position) last advanced', registers: [this.registry] });
  readonly lastCommitTimestamp = new Gauge({ name: 'cidaas_sync_source_last_commit_timestamp_seconds', help: 'Source commit time (Unix seconds, source clock) of the newest transaction received', registers: [this.registry] });
  readonly rowsRead = new Counter({ name: 'cidaas_sync_legacy_rows_read_total', help: 'Rows read from the legacy database to build users (backfill, stream, retries), by configured table', labelNames: ['table'] as const, registers: [this.registry] });
  readonly phase = new Gauge({ name: 'cidaas_sync_phase', help: 'The runner phase: 1 for the current one (starting, backfill, streaming, stopping, stopped, failed)', labelNames: ['phase'] as const, registers: [this.registry] });
  readonly batchSeconds = new Histogram({
    name: 'cidaas_sync_batch_duration_seconds', help: 'Time from taking a batch to storing its outcomes',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  readonly commitToPushSeconds = new Histogram({
    name: 'cidaas_sync_change_latency_seconds', help: 'Time from a user becoming dirty to its push being stored',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'cidaas_sync_' });
  }

  /** The value of a counter or gauge with the given labels (for tests and `status`). */
  async value(metric: Counter<string> | Gauge<string>, labels: Record<string, string> = {}): Promise<number> {
    const data = await metric.get();
    const hit = data.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
    return hit?.value ?? 0;
  }

  /** The sum of a counter or gauge over all its label values. */
  async sum(metric: Counter<string> | Gauge<string>): Promise<number> {
    return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
  }
}
