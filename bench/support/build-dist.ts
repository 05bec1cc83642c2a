import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `npm run build` (incremental: seconds when little changed), then every sidecar a bench starts
 * through bin/cidaas-sync.js runs dist/ (CIDAAS_SYNC_USE_DIST=1), as the image does: its memory
 * and CPU figures are then those of what ships, not of tsx compiling the sources.
 */
export async function buildDist(): Promise<void> {
  const npm = process.env['npm_execpath'];
  // Under npm, npm_execpath is its CLI script; run directly, the `npm` on the PATH.
  const [command, args] = npm ? [process.execPath, [npm, 'run', '--silent', 'build']] : ['npm', ['run', '--silent', 'build']];
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`npm run build failed (exit ${String(code)})`);
  process.env['CIDAAS_SYNC_USE_DIST'] = '1';
}
