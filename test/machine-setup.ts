/**
 * What `npm test` needs from the machine beyond Node and `npm ci`, and its set-up on a fresh
 * Debian or Ubuntu machine: what is missing is installed through apt-get when we run as root;
 * otherwise the one command to run is printed and the run stops. PostgreSQL is not among them:
 * its binaries come from npm (tools/throwaway/postgres-binaries.ts). Add a row to
 * {@link MACHINE_REQUIREMENTS} for a new system program.
 */
import { execFileSync } from 'node:child_process';
import { isExecutable } from '../tools/throwaway/postgres-binaries.js';

/** A system program the tests start, and the Debian packages that bring it. */
export interface MachineRequirement {
  /** For messages: `the MariaDB server`. */
  readonly what: string;
  /** Any one of these executables will do. */
  readonly programs: readonly string[];
  readonly aptPackages: readonly string[];
}

export const MACHINE_REQUIREMENTS: readonly MachineRequirement[] = [
  {
    what: 'the MariaDB server (the MySQL/MariaDB tests)',
    programs: ['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/sbin/mysqld'],
    aptPackages: ['mariadb-server', 'mariadb-client'],
  },
  { what: 'Chromium (the status page test)', programs: ['/usr/bin/chromium', '/usr/bin/chromium-browser'], aptPackages: ['chromium'] },
  { what: 'Prometheus and promtool (the dashboard and alert rule tests)', programs: ['/usr/bin/promtool'], aptPackages: ['prometheus'] },
];

/** What to do about the missing requirements: nothing, install them, or tell the user the command. */
export type SetupPlan =
  | { readonly kind: 'ready' }
  | { readonly kind: 'install'; readonly command: readonly string[]; readonly missing: readonly MachineRequirement[] }
  | { readonly kind: 'ask'; readonly command: string; readonly missing: readonly MachineRequirement[] };

/** Facts about the machine a plan depends on (separate so the decision is testable). */
export interface MachineFacts {
  readonly isRoot: boolean;
  readonly hasAptGet: boolean;
  readonly isExecutable: (path: string) => boolean;
}

export function planMachineSetup(facts: MachineFacts, requirements = MACHINE_REQUIREMENTS): SetupPlan {
  const missing = requirements.filter((r) => !r.programs.some(facts.isExecutable));
  if (missing.length === 0) return { kind: 'ready' };
  const packages = missing.flatMap((r) => r.aptPackages);
  if (facts.isRoot && facts.hasAptGet) return { kind: 'install', command: ['apt-get', 'install', '-y', '-qq', ...packages], missing };
  const install = facts.hasAptGet ? `sudo apt-get install -y ${packages.join(' ')}` : `install ${packages.join(' ')} with the system's package manager`;
  return { kind: 'ask', command: install, missing };
}

/** Sets the machine up for the tests; false (after saying why and what to run) when it cannot. */
export function ensureMachine(say: (line: string) => void): boolean {
  const plan = planMachineSetup({ isRoot: process.getuid?.() === 0, hasAptGet: isExecutable('/usr/bin/apt-get'), isExecutable });
  if (plan.kind === 'ready') return true;
  const what = plan.missing.map((r) => r.what).join(', ');
  if (plan.kind === 'ask') {
    say(`missing ${what}; run this once, then npm test again:\n  ${plan.command}`);
    return false;
  }
  say(`missing ${what}: installing it (${plan.command.join(' ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync(plan.command[0]!, plan.command.slice(1), { stdio: 'inherit', env });
  } catch (err) {
    say(`installing failed (${(err as Error).message}); install ${plan.missing.flatMap((r) => r.aptPackages).join(' ')} and run npm test again`);
    return false;
  }
  return true;
}
