import { startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * Replicas of one sidecar configuration with `ha.enabled`, as child processes: started, killed,
 * paused, resumed and stopped, and told apart by their log: a replica is active from its line
 * "lease acquired" until "stepped down" or its end.
 */

export const ACQUIRED = 'lease acquired: this replica is active';
export const STEPPED_DOWN = 'stepped down: standby again';

/** Lines of `p` with `message`. */
export function count(p: SidecarProcess, message: string): number {
  return p.lines.reduce((n, l) => n + (l.message === message ? 1 : 0), 0);
}

export class ReplicaSet {
  readonly #configPath: string;
  /** Every replica ever started, in order. */
  readonly all: SidecarProcess[] = [];
  readonly #paused = new Set<SidecarProcess>();

  constructor(configPath: string) {
    this.#configPath = configPath;
  }

  /** Replicas that have not exited. */
  get running(): SidecarProcess[] {
    return this.all.filter((p) => p.exit === undefined);
  }

  spawn(): SidecarProcess {
    const p = startSidecar({ args: ['run', '--config', this.#configPath, '--no-progress'] });
    this.all.push(p);
    return p;
  }

  /** True when `p` took the lease and has not stepped down since (as far as its log shows). */
  isActive(p: SidecarProcess): boolean {
    return p.exit === undefined && count(p, ACQUIRED) > count(p, STEPPED_DOWN);
  }

  /** The terms each running replica began so far, to tell a new term from an old one. */
  snapshot(): Map<SidecarProcess, number> {
    return new Map(this.all.map((p) => [p, count(p, ACQUIRED)]));
  }

  /** Resolves with the replica that began a term after `before` (see {@link snapshot}). */
  async newActive(before: Map<SidecarProcess, number>, timeoutMs = 60_000): Promise<SidecarProcess> {
    let found: SidecarProcess | undefined;
    await waitFor(() => {
      found = this.running.find((p) => !this.#paused.has(p) && count(p, ACQUIRED) > (before.get(p) ?? 0) && this.isActive(p));
      return found !== undefined;
    }, { timeoutMs, intervalMs: 25, message: () => `a new active replica (${this.running.length} running)` });
    return found!;
  }

  /** Resolves with the one running, unpaused replica that holds the lease and streams in its current term. */
  async currentActive(timeoutMs = 60_000): Promise<SidecarProcess> {
    let found: SidecarProcess | undefined;
    await waitFor(() => {
      const active = this.running.filter((p) => !this.#paused.has(p) && this.isActive(p));
      const p = active.length === 1 ? active[0]! : undefined;
      found = p && streamingInTerm(p) ? p : undefined;
      return found !== undefined;
    }, { timeoutMs, intervalMs: 25, message: () => 'one active, streaming replica' });
    return found!;
  }

  /** SIGSTOP: the process freezes, its lease and its connections stay as they are. */
  pause(p: SidecarProcess): void {
    this.#paused.add(p);
    process.kill(p.pid, 'SIGSTOP');
  }

  resume(p: SidecarProcess): void {
    process.kill(p.pid, 'SIGCONT');
    this.#paused.delete(p);
  }
}

/** True when `p` logged "streaming" (runner) after its last "lease acquired". */
function streamingInTerm(p: SidecarProcess): boolean {
  let term = -1;
  p.lines.forEach((l, i) => { if (l.message === ACQUIRED) term = i; });
  return term >= 0 && p.lines.slice(term).some((l) => l.message === 'streaming' && l['component'] === 'runner');
}
