/**
 * The typed errors of cidaas-sync. Each has a stable `code` (listed with its fix in
 * the README), says whether retrying can help (`transient`), and carries a `hint`:
 * the next step for the operator. Messages never contain a secret.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_MAPPING_MODULE'
  | 'CIDAAS_AUTH_FAILED'
  | 'CIDAAS_SCOPE_MISSING'
  | 'CIDAAS_UNAVAILABLE'
  | 'CIDAAS_RATE_LIMITED'
  | 'CIDAAS_REJECTED'
  | 'CIDAAS_PROTOCOL'
  | 'SOURCE_UNAVAILABLE'
  | 'SOURCE_PREFLIGHT'
  | 'SOURCE_POSITION_LOST'
  | 'SOURCE_PROTOCOL'
  | 'SOURCE_KEY_UNSUPPORTED'
  | 'STATE_STORE'
  | 'LEASE_LOST'
  | 'VERIFY_DIFFERENCES'
  | 'CANARY_REFUTED'
  | 'INTERRUPTED'
  | 'SETUP_REFUSED'
  | 'SETUP_PRECONDITION'
  | 'USAGE';

/** Process exit codes, as docs/architecture.md lays them out. */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  config: 2,
  preflight: 3,
  verify: 4,
  /** `setup plan`: the tenant differs from the declaration. */
  changes: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface SyncErrorOptions {
  /** The next step for the operator: a setting to change, SQL to run, a command to type. */
  hint?: string;
  /** True when the same call may succeed later without anyone changing anything. */
  transient?: boolean;
  /** The exit code a command ends with when this error stops it. */
  exitCode?: ExitCode;
  cause?: unknown;
}

const BRAND = Symbol.for('cidaas-sync.SyncError');

/** Base class of every error cidaas-sync raises on purpose. */
export class SyncError extends Error {
  /**
   * `instanceof` that also holds across two copies of this module. A module loaded both through
   * require() and import() (mocha loads test files with require, while adapters and commands are
   * loaded with import()) has two classes of the same name; a plain prototype check would then
   * take a transient SyncError for an unknown error. Errors carry a registry symbol, and a class
   * matches an error whose prototype chain has a class of its name.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || !(BRAND in value)) return false;
    for (let p: unknown = Object.getPrototypeOf(value); p !== null && typeof p === 'object'; p = Object.getPrototypeOf(p)) {
      if ((p as { constructor?: { name?: string } }).constructor?.name === this.name) return true;
    }
    return false;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly transient: boolean;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncError';
    this.code = code;
    this.hint = options.hint;
    this.transient = options.transient ?? false;
    this.exitCode = options.exitCode ?? ExitCode.runtime;
  }

  /** The message with its hint, as printed for an operator. */
  describe(): string {
    return this.hint ? `${this.code}: ${this.message}\n  -> ${this.hint}` : `${this.code}: ${this.message}`;
  }
}

/** A configuration file that cannot be used as written (exit 2). */
export class ConfigError extends SyncError {
  /** One entry per problem: the dotted key path and what to write there. */
  readonly issues: readonly { path: string; message: string }[];

  constructor(message: string, issues: readonly { path: string; message: string }[] = [], options: SyncErrorOptions = {}) {
    super('CONFIG_INVALID', message, { ...options, exitCode: ExitCode.config });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** True when `err` is worth retrying unchanged. Unknown errors are not. */
export function isTransient(err: unknown): boolean {
  return err instanceof SyncError && err.transient;
}
