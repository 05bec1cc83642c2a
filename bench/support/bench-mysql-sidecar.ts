import { request } from 'undici';
import { startSidecar, type SidecarLine, type SidecarProcess } from '../../test/support/sidecar-process.js';
import { writeShopConfig, type ShopConfigFile } from '../../test/support/test-config.js';
import type { BenchMariaDb } from './bench-mariadb.js';
import { BENCH_CLIENT, imageNodeOptions } from './bench-sidecar.js';
import { processMemory, resetPeakRss, type ProcessMemory } from './process-memory.js';

/** What a MySQL bench sidecar runs against and how it is tuned. */
export interface MysqlBenchSidecarOptions {
  readonly database: BenchMariaDb;
  readonly emulatorUrl: string;
  /** `cidaas.concurrency` (default 4, the config default). */
  readonly concurrency?: number;
  /** Merged into `engine:` (flushIntervalMs, maxDelayMs, maxDirtyUsers). */
  readonly engine?: Record<string, number>;
  /** Reuse the state store (backfill, checkpoint) of an earlier run. */
  readonly resume?: MysqlBenchSidecar;
}

/**
 * `node bin/cidaas-sync.js run --config FILE` on a MariaDB source as a child process, the way it
 * runs in production: the MySQL counterpart of bench-sidecar.ts.
 */
export interface MysqlBenchSidecar {
  readonly process: SidecarProcess;
  readonly pid: number;
  readonly config: ShopConfigFile;
  /** Waits for the first log line with this message (or it, a colon and details); returns the sidecar's own timestamp of it (ms since epoch). */
  lineAt(message: string, timeoutMs?: number): Promise<{ at: number; line: SidecarLine }>;
  /** The value of a counter or gauge on its /metrics (summed over the label sets matching `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  memory(): ProcessMemory;
  /** Resets the peak RSS to the current one (see resetPeakRss). */
  resetPeak(): boolean;
  /** SIGTERM (drain, checkpoint), SIGKILL if it does not exit in time. The config dir stays for `resume`. */
  stop(timeoutMs?: number): Promise<void>;
  kill(): Promise<void>;
}

let serverIds = 0;

export async function startMysqlBenchSidecar(o: MysqlBenchSidecarOptions): Promise<MysqlBenchSidecar> {
  const previous = o.resume;
  serverIds += 1;
  const config = await writeShopConfig({
    kind: 'mysql',
    sourceUrl: o.database.url,
    emulatorUrl: o.emulatorUrl,
    clientId: BENCH_CLIENT.clientId,
    clientSecret: BENCH_CLIENT.clientSecret,
    concurrency: o.concurrency ?? 4,
    ...(previous ? { stateUrl: `sqlite:${previous.config.statePath}` } : {}),
    extra: { source: { serverId: 7000 + serverIds }, engine: { ...(o.engine ?? {}) } },
  });
  const nodeOptions = process.env['BENCH_SIDECAR_NODE_OPTIONS'] ?? (await imageNodeOptions());
  const proc = startSidecar({
    args: ['run', '--config', config.path, '--no-progress'],
    env: { LOG_LEVEL: 'info', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
  });
  let port: number | null = null;

  const lineAt = async (message: string, timeoutMs = 600_000): Promise<{ at: number; line: SidecarLine }> => {
    const line = await proc.waitForLine((l) => l.message === message || l.message.startsWith(`${message}:`), timeoutMs);
    const at = typeof line['timestamp'] === 'string' ? Date.parse(line['timestamp']) : NaN;
    if (Number.isNaN(at)) throw new Error(`sidecar log line without a timestamp: ${line.message}`);
    return { at, line };
  };
  const metricsPort = async (): Promise<number> => {
    if (port !== null) return port;
    const { line } = await lineAt('cidaas-sync running', 60_000);
    port = Number(line['http']);
    return port;
  };

  return {
    process: proc,
    pid: proc.pid,
    config,
    lineAt,
    async metric(name, labels = {}) {
      const res = await request(`http://127.0.0.1:${await metricsPort()}/metrics`);
      const text = await res.body.text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const rest = line.slice(name.length);
        if (rest[0] !== ' ' && rest[0] !== '{') continue;
        if (!Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) continue;
        sum += Number(rest.slice(rest.lastIndexOf(' ') + 1));
      }
      return sum;
    },
    memory: () => processMemory(proc.pid),
    resetPeak: () => resetPeakRss(proc.pid),
    async stop(timeoutMs = 60_000) {
      await proc.terminate(timeoutMs);
    },
    async kill() {
      await proc.kill9();
    },
  };
}
