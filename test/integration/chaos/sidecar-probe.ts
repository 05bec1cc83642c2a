import type { SidecarProcess } from '../../support/sidecar-process.js';

/**
 * Reads a sidecar child process from outside, as an operator's probes would: its HTTP port
 * (from the "cidaas-sync running" log line; the test configs listen on port 0), `/readyz`,
 * and gauges from `/metrics`.
 */

/** What `/readyz` answered: ready (200), not ready (503 and the reason), or no answer at all. */
export type Readiness = { readonly state: 'ready' } | { readonly state: 'not ready'; readonly reason: string } | { readonly state: 'down'; readonly reason: string };

/** The sidecar's HTTP port, once it logged "cidaas-sync running". */
export async function httpPortOf(p: SidecarProcess, timeoutMs = 60_000): Promise<number> {
  const line = await p.waitForLine((l) => l.message === 'cidaas-sync running', timeoutMs);
  const port = Number(line['http']);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`the "cidaas-sync running" line has no http port: ${JSON.stringify(line)}`);
  return port;
}

/** Resolves once the sidecar logged that it is streaming. */
export function streaming(p: SidecarProcess, timeoutMs = 120_000): Promise<unknown> {
  return p.waitForLine((l) => l.message === 'streaming' && l['component'] === 'runner', timeoutMs);
}

/** GET /readyz; a refused or failed connection is `down`. */
export async function readiness(port: number): Promise<Readiness> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { reason?: unknown };
    if (res.status === 200) return { state: 'ready' };
    return { state: 'not ready', reason: `${res.status} ${String(body.reason ?? '')}` };
  } catch (err) {
    return { state: 'down', reason: (err as Error).message };
  }
}

/** The value of an unlabelled gauge or counter in /metrics, or undefined when the sidecar does not answer. */
export async function metricValue(port: number, name: string): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(name.length + 1));
  } catch {
    return undefined;
  }
}
