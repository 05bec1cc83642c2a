import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import { parse } from 'yaml';
import { startSidecar, type SidecarLine, type SidecarProcess } from '../../test/support/sidecar-process.js';
import { writeShopConfig, type ShopConfigFile, type ShopConfigOptions } from '../../test/support/test-config.js';
import type { BenchDatabase } from './bench-postgres.js';
import { processMemory, resetPeakRss, type ProcessMemory } from './process-memory.js';

/** The one OAuth client of every bench emulator. */
export const BENCH_CLIENT = { clientId: 'bench', clientSecret: 'bench-secret' } as const;

/** What a bench sidecar runs against and how it is tuned. */
export interface BenchSidecarOptions {
  readonly database: BenchDatabase;
  readonly emulatorUrl: string;
  /** `cidaas.concurrency` (default 4, the config default). */
  readonly concurrency?: number;
  /** Merged into `engine:` (flushIntervalMs, maxDelayMs, maxDirtyUsers). */
  readonly engine?: Record<string, number>;
  /** Merged into `cidaas:` (e.g. maxCallsPerSecond). */
  readonly cidaas?: Record<string, number>;
  /** The sidecar's NODE_OPTIONS ('' for none); default BENCH_SIDECAR_NODE_OPTIONS, else the image's. */
  readonly nodeOptions?: string;
  /** Reuse the slot and state store of an earlier run (its backfill and checkpoint). */
  readonly resume?: BenchSidecar;
}

/**
 * `node bin/cidaas-sync.js run --config FILE` as a child process, with the image's NODE_OPTIONS,
 * running dist/ as the image does (bench/run.ts builds it and sets CIDAAS_SYNC_USE_DIST=1): its
 * memory is its own, read from /proc.
 */
export interface BenchSidecar {
  readonly process: SidecarProcess;
  readonly pid: number;
  readonly config: ShopConfigFile;
  readonly slot: string;
  /**
   * Waits for the first log line with this message (see {@link isLine}) and returns its own timestamp (ms since epoch):
   * when the sidecar wrote it, not when we read it.
   */
  lineAt(message: string, timeoutMs?: number): Promise<{ at: number; line: SidecarLine }>;
  /** The value of a counter or gauge on its /metrics (the sum over label sets matching `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  memory(): ProcessMemory;
  /** Resets the peak RSS to the current one (see resetPeakRss). */
  resetPeak(): boolean;
  /** SIGTERM (drain, checkpoint), SIGKILL if it does not exit in time. The config dir stays for `resume`. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
}

/**
 * Whether a log line is the one `message` names: the message itself, or that message followed by
 * ": " and its details (`backfill done: 2000 users, 0 dead letters`).
 */
export function isLine(line: SidecarLine, message: string): boolean {
  return line.message === message || line.message.startsWith(`${message}: `);
}

function timestampOf(line: SidecarLine): number {
  const t = typeof line['timestamp'] === 'string' ? Date.parse(line['timestamp']) : NaN;
  if (Number.isNaN(t)) throw new Error(`sidecar log line without a timestamp: ${line.message}`);
  return t;
}

function labelsMatch(text: string, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => text.includes(`${k}="${v}"`));
}

/** A bench sidecar's configuration, on either database: the shop's, with the bench client and `concurrency` 4 unless told. */
export function writeBenchConfig(o: Omit<ShopConfigOptions, 'clientId' | 'clientSecret'>): Promise<ShopConfigFile> {
  return writeShopConfig({ ...o, clientId: BENCH_CLIENT.clientId, clientSecret: BENCH_CLIENT.clientSecret, concurrency: o.concurrency ?? 4 });
}

export async function startBenchSidecar(o: BenchSidecarOptions): Promise<BenchSidecar> {
  const previous = o.resume;
  const config = await writeBenchConfig({
    kind: 'postgres',
    sourceUrl: o.database.url,
    publication: o.database.publication,
    emulatorUrl: o.emulatorUrl,
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(previous ? { slot: previous.slot, stateUrl: `sqlite:${previous.config.statePath}` } : {}),
    extra: { engine: { ...(o.engine ?? {}) }, ...(o.cidaas ? { cidaas: o.cidaas } : {}) },
  });
  const slot = previous?.slot ?? (await slotOf(config.path));
  return { ...(await runBenchSidecar(config, o.nodeOptions)), slot };
}

/**
 * Starts `cidaas-sync run` on a written configuration, on either database: the process part of
 * {@link BenchSidecar} (everything but the slot). `nodeOptions` as {@link BenchSidecarOptions.nodeOptions}.
 */
export async function runBenchSidecar(config: ShopConfigFile, nodeOptionsOverride?: string): Promise<Omit<BenchSidecar, 'slot'>> {
  // The sidecar runs with the image's heap settings (the Dockerfile's NODE_OPTIONS), or with
  // BENCH_SIDECAR_NODE_OPTIONS when set (e.g. `--max-semi-space-size=16`); it only goes to the sidecar.
  const nodeOptions = nodeOptionsOverride ?? process.env['BENCH_SIDECAR_NODE_OPTIONS'] ?? (await imageNodeOptions());
  const proc = startSidecar({
    args: ['run', '--config', config.path, '--no-progress'],
    env: { LOG_LEVEL: 'info', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
  });
  let port: number | null = null;

  const lineAt = async (message: string, timeoutMs = 600_000): Promise<{ at: number; line: SidecarLine }> => {
    const line = await proc.waitForLine((l) => isLine(l, message), timeoutMs);
    return { at: timestampOf(line), line };
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
      let text: string;
      try {
        const res = await request(`http://127.0.0.1:${await metricsPort()}/metrics`);
        text = await res.body.text();
      } catch (err) {
        const exit = proc.exit;
        if (!exit) throw err;
        throw new Error(`the sidecar exited (${exit.signal ?? String(exit.code)}): ${proc.stderr.trim().split('\n').slice(-5).join('\n')}`, { cause: err });
      }
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const rest = line.slice(name.length);
        if (rest[0] !== ' ' && rest[0] !== '{') continue;
        if (!labelsMatch(rest, labels)) continue;
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

/** The NODE_OPTIONS the Docker image sets (its heap limits), so a bench measures what ships. */
export async function imageNodeOptions(): Promise<string> {
  const dockerfile = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const m = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile);
  if (!m) throw new Error('the Dockerfile sets no NODE_OPTIONS="..."');
  return m[1]!;
}

/** The slot name writeShopConfig chose (it is in the YAML). */
async function slotOf(path: string): Promise<string> {
  const yaml = parse(await readFile(path, 'utf8')) as { source?: { slot?: unknown } };
  const slot = yaml.source?.slot;
  if (typeof slot !== 'string') throw new Error(`no source.slot in ${path}`);
  return slot;
}
