import { Counter, Gauge } from 'prom-client';
import type { SyncMetrics } from '../observability/metrics.js';

/** The role of a replica: `active` holds the lease and streams; `standby` waits for it. */
export type ReplicaRole = 'active' | 'standby';

/** The high-availability gauges, registered beside the other metrics of the process. */
export class HaMetrics {
  readonly role: Gauge<'role'>;
  readonly token: Gauge;
  readonly terms: Counter;

  constructor(metrics: SyncMetrics) {
    const registers = [metrics.registry];
    this.role = new Gauge({ name: 'cidaas_sync_ha_role', help: 'The replica role: 1 for the current one (active holds the lease and streams, standby waits)', labelNames: ['role'] as const, registers });
    this.token = new Gauge({ name: 'cidaas_sync_ha_fencing_token', help: 'The fencing token of the lease while this replica holds it, 0 as standby', registers });
    this.terms = new Counter({ name: 'cidaas_sync_ha_terms_total', help: 'Times this replica took the lease', registers });
    this.set('standby', null);
  }

  set(role: ReplicaRole, token: string | null): void {
    this.role.set({ role: 'active' }, role === 'active' ? 1 : 0);
    this.role.set({ role: 'standby' }, role === 'standby' ? 1 : 0);
    this.token.set(token === null ? 0 : Number(token));
  }
}
