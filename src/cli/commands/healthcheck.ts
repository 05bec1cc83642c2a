import { Command } from 'commander';
import { configFrom, withConfigOption } from '../config-option.js';

/** The /healthz URL of the sidecar the configuration describes: a wildcard bind is asked on loopback. */
export function healthzUrl(http: { readonly host: string; readonly port: number }): string {
  const host = ['0.0.0.0', '::', '[::]'].includes(http.host) ? '127.0.0.1' : http.host;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${http.port}/healthz`;
}

/**
 * `cidaas-sync healthcheck`: asks the running sidecar's /healthz on the configured http.host and
 * http.port; exit 0 when healthy, 1 otherwise. The container HEALTHCHECK runs it, so the check
 * follows the configuration instead of a port written into the image.
 */
export function healthcheckCommand(): Command {
  const cmd = new Command('healthcheck')
    .description("ask the running sidecar's /healthz (at http.host and http.port of the configuration); exit 0 when healthy, 1 when not (the container HEALTHCHECK)");
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string }) => {
    const config = await configFrom(opts);
    const url = healthzUrl(config.http);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(4000) });
      const body = (await r.text()).slice(0, 500);
      process.stdout.write(`${r.status} ${body}\n`);
      if (!r.ok) process.exitCode = 1;
    } catch (err) {
      process.stdout.write(`no answer from ${url}: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  });
  return cmd;
}
