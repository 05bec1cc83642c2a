import { randomBytes } from 'node:crypto';
import type { RunningEmulator, StoredUser } from '../emulator/cidaas-emulator.js';
import { SyncError } from '../../src/errors.js';
import { base32Encode } from '../totp.js';
import { duration, type DemoOutput } from './demo-output.js';
import type { DemoShop } from './demo-shop.js';
import type { DemoPassword } from './demo-users.js';

/** The shop users the live changes are made to (distinct legacy ids). */
export interface LiveChangeTargets {
  readonly emailChange: number;
  readonly passwordChange: number;
  /** A user without a TOTP device. */
  readonly mfaEnrolment: number;
  readonly softDelete: number;
  readonly hardDelete: number;
}

/** What the live changes need. */
export interface LiveChangeContext {
  readonly shop: DemoShop;
  readonly emulator: RunningEmulator;
  readonly out: DemoOutput;
  readonly signal: AbortSignal;
  /** The configured `sub.prefix`. */
  readonly subPrefix: string;
  readonly targets: LiveChangeTargets;
  /** The new password of `targets.passwordChange`, hashed beforehand (the shop's own work). */
  readonly newPassword: DemoPassword;
  /** The hash the registering user's password gets. */
  readonly registrationHash: string;
  /** Legacy users before the changes (the new user's email is numbered after them). */
  readonly userCount: number;
  /** Give up waiting for one change to land in cidaas after this long. */
  readonly landTimeoutMs: number;
  /** The failure that stopped the sidecar, if one did (no use waiting then). */
  readonly sidecarFailure: () => unknown;
}

/** One change that landed. */
export interface LandedChange {
  readonly event: string;
  readonly sub: string;
  /** From the commit in the shop database to the change being visible in cidaas. */
  readonly landedMs: number;
}

/** What the checks after the changes need to know. */
export interface LiveChangeOutcome {
  readonly landed: readonly LandedChange[];
  /** The sub whose password changed. */
  readonly passwordSub: string;
  /** The sub that enrolled TOTP, and the secret (for making a code, never printed). */
  readonly totpSub: string;
  readonly totpSecret: string;
}

/**
 * Makes the demo's live changes in the shop database one by one, as the shop's users
 * would, and prints each when it has landed in cidaas (polling the emulator's store):
 * an email change, a password change, a TOTP enrolment, a soft delete, a hard delete and
 * a registration. Prints emails; never a hash or a TOTP secret.
 */
export async function makeLiveChanges(c: LiveChangeContext): Promise<LiveChangeOutcome> {
  const t = c.targets;
  const sub = (id: number): string => `${c.subPrefix}${id}`;
  const landed: LandedChange[] = [];
  /** Runs `make` (resolves with the user's id), then waits until `isThere` holds for that user in cidaas. */
  const change = async (event: string, what: string, make: () => Promise<number>, isThere: (u: StoredUser | undefined) => boolean): Promise<void> => {
    c.signal.throwIfAborted();
    const id = await make();
    const committed = Date.now();
    await untilLanded(c, `${event} of ${sub(id)}`, () => isThere(c.emulator.getUser(sub(id))));
    const ms = Date.now() - committed;
    landed.push({ event, sub: sub(id), landedMs: ms });
    c.out.line(`      ${event.padEnd(17)} ${sub(id).padEnd(13)} ${what.padEnd(64)} (landed in ${duration(ms)})`);
  };
  const on = (id: number, work: () => Promise<void>) => async (): Promise<number> => {
    await work();
    return id;
  };

  const oldEmail = await c.shop.emailOf(t.emailChange);
  const newEmail = oldEmail.replace(/\.\d+@.*$/, '@new-mail.example');
  await change('email.changed', `${oldEmail} -> ${newEmail}`, on(t.emailChange, () => c.shop.changeEmail(t.emailChange, newEmail)),
    (u) => u?.email === newEmail);

  const newHash = c.newPassword.hash;
  await change('password.changed', 'new password set by the user (bcrypt, cost 10)', on(t.passwordChange, () => c.shop.changePassword(t.passwordChange, newHash)),
    (u) => u?.password_hash_info?.passwordHash === newHash);

  const secret = base32Encode(randomBytes(20));
  await change('mfa.changed', 'authenticator app enrolled and confirmed (TOTP)', on(t.mfaEnrolment, () => c.shop.enrolTotp(t.mfaEnrolment, secret)),
    (u) => u?.mfa?.totp?.secret === secret);

  const softEmail = await c.shop.emailOf(t.softDelete);
  await change('user.deleted', `${softEmail} closed the account (deleted_at set)`, on(t.softDelete, () => c.shop.softDelete(t.softDelete)),
    (u) => u === undefined);

  const hardEmail = await c.shop.emailOf(t.hardDelete);
  await change('user.deleted', `${hardEmail} erased (rows deleted)`, on(t.hardDelete, () => c.shop.hardDelete(t.hardDelete)),
    (u) => u === undefined);

  const email = `new.customer.${c.userCount + 1}@example.com`;
  await change('user.created', `${email} registered`,
    () => c.shop.register({ email, firstName: 'Nora', lastName: 'Neumann', passwordHash: c.registrationHash }),
    (u) => u?.email === email);

  return { landed, passwordSub: sub(t.passwordChange), totpSub: sub(t.mfaEnrolment), totpSecret: secret };
}

/** Polls the emulator's store until `isThere`; fails after the context's timeout, or when the demo is stopped. */
async function untilLanded(c: LiveChangeContext, what: string, isThere: () => boolean): Promise<void> {
  const deadline = Date.now() + c.landTimeoutMs;
  while (!isThere()) {
    c.signal.throwIfAborted();
    const failure = c.sidecarFailure();
    if (failure) throw failure;
    if (Date.now() > deadline) {
      throw new SyncError('CIDAAS_UNAVAILABLE', `the ${what} did not land in cidaas within ${duration(c.landTimeoutMs)}`, {
        hint: 'run the demo with --verbose to see the sidecar log',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
