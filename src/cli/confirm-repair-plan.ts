import { createInterface } from 'node:readline/promises';
import type { PreflightItem } from '../preflight/preflight-item.js';

/** Every statement `check --fix` would run for `items`, in order. */
export function repairPlan(items: readonly PreflightItem[]): string[] {
  return items.flatMap((i) => i.repair ?? []);
}

/** The plan as text: every statement on its own line. */
export function renderRepairPlan(plan: readonly string[], role: string): string {
  if (plan.length === 0) return 'check --fix: nothing cidaas-sync may repair; the failures below are left to a person\n';
  return [`check --fix will run, as ${role}, on the source database:`, ...plan.map((sql) => `  ${sql}`), ''].join('\n');
}

/**
 * Whether to run the plan: yes with `--yes`; on a terminal, the answer to a prompt; otherwise no
 * (a script must say --yes: a repair changes a database other things may share).
 */
export async function confirmRepairPlan(o: { yes: boolean; input: NodeJS.ReadableStream & { isTTY?: boolean }; output: NodeJS.WritableStream }): Promise<boolean> {
  if (o.yes) return true;
  if (o.input.isTTY !== true) return false;
  const rl = createInterface({ input: o.input, output: o.output });
  try {
    const answer = await rl.question('run these statements? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
