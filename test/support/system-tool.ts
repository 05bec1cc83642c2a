import { spawnSync } from 'node:child_process';
import type { Context } from 'mocha';

/** The path of a program on PATH, or null. */
export function whichProgram(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/**
 * For tests that need a system package (Chromium, Prometheus): resolves the program, or skips the
 * suite with the install command when it is missing on a developer's machine. In CI (CI=true)
 * a missing program fails instead: `.ci/run` installs it, so its absence is a bug there.
 */
export function requireProgram(ctx: Context, name: string, debianPackage: string): string {
  const path = whichProgram(name);
  if (path) return path;
  const message = `${name} is not installed: run \`apt-get install -y ${debianPackage}\` (.ci/run does) to run this test`;
  if (process.env['CI']) throw new Error(message);
  process.stderr.write(`skipped: ${message}\n`);
  ctx.skip();
}
