import { isObject } from './http-io.js';

/**
 * One fault rule, as POST /_emulator/faults takes it in `rules`. Two kinds:
 *
 * - a request fault (`status`, `delayMs`, `drop`, alone or combined): the next matching
 *   API request waits `delayMs`, then is dropped (`drop`: the socket is reset without an
 *   answer) or answered `status` with a service-error envelope (401 with the access-denied
 *   body; 429 with `Retry-After: retryAfter`, 1 when absent, none when `retryAfter` is
 *   null), or else handled normally;
 * - a user fault (`failEmail`): a bulk entity with that email (case-insensitive) is
 *   answered FAILED with `message`; the rest of the batch goes through.
 *
 * `times` is how many requests (or users) the rule applies to; absent, it applies until
 * reset or DELETE /_emulator/faults. Rules apply in the order queued, one request fault
 * per request.
 */
export interface FaultRule {
  /** Exact path, or a prefix ending in `*`. Absent: every API path but /token-srv/token. */
  readonly path?: string;
  /** HTTP method to match (any when absent). */
  readonly method?: string;
  /** Answer with this status (400..599). */
  readonly status?: number;
  /** `Retry-After` seconds for status 429; null sends none. */
  readonly retryAfter?: number | null;
  /** Wait this long before answering (or dropping). */
  readonly delayMs?: number;
  /** Reset the connection instead of answering. */
  readonly drop?: boolean;
  /** Fail the bulk entity with this email. */
  readonly failEmail?: string;
  /** The FAILED message for `failEmail` (default "user rejected by an emulator fault rule"). */
  readonly message?: string;
  /** How many times the rule applies; absent = until reset. */
  readonly times?: number;
}

/** A rule in the queue, with what is left of it. */
export interface ActiveFault extends FaultRule {
  /** Remaining applications; undefined = unlimited. */
  remaining: number | undefined;
}

/** Raised for a rule that cannot be queued; the message says which and why. */
export class FaultRuleError extends Error {
  override name = 'FaultRuleError';
}

const KEYS = new Set(['path', 'method', 'status', 'retryAfter', 'delayMs', 'drop', 'failEmail', 'message', 'times']);
const TOKEN_PATH = '/token-srv/token';
const DEFAULT_MESSAGE = 'user rejected by an emulator fault rule';

function checkRule(raw: unknown, index: number): FaultRule {
  const where = `rules[${index}]`;
  if (!isObject(raw)) throw new FaultRuleError(`${where} must be an object`);
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) throw new FaultRuleError(`${where}: unknown field "${key}"`);
  const { path, method, status, retryAfter, delayMs, drop, failEmail, message, times } = raw;
  const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) throw new FaultRuleError(`${where}.path must start with /`);
  if (method !== undefined && typeof method !== 'string') throw new FaultRuleError(`${where}.method must be a string`);
  if (status !== undefined && !isInt(status, 400, 599)) throw new FaultRuleError(`${where}.status must be an integer 400..599`);
  if (retryAfter !== undefined && retryAfter !== null && !isInt(retryAfter, 0)) throw new FaultRuleError(`${where}.retryAfter must be whole seconds or null`);
  if (delayMs !== undefined && !isInt(delayMs, 0)) throw new FaultRuleError(`${where}.delayMs must be an integer >= 0`);
  if (drop !== undefined && typeof drop !== 'boolean') throw new FaultRuleError(`${where}.drop must be a boolean`);
  if (failEmail !== undefined && typeof failEmail !== 'string') throw new FaultRuleError(`${where}.failEmail must be a string`);
  if (message !== undefined && typeof message !== 'string') throw new FaultRuleError(`${where}.message must be a string`);
  if (times !== undefined && !isInt(times, 1)) throw new FaultRuleError(`${where}.times must be an integer >= 1`);
  const requestFault = status !== undefined || delayMs !== undefined || drop === true;
  if (failEmail !== undefined && (requestFault || path !== undefined || method !== undefined)) {
    throw new FaultRuleError(`${where}: failEmail cannot be combined with path, method, status, delayMs or drop`);
  }
  if (failEmail === undefined && !requestFault) throw new FaultRuleError(`${where} needs status, delayMs, drop or failEmail`);
  if (retryAfter !== undefined && status !== 429) throw new FaultRuleError(`${where}.retryAfter goes with status 429`);
  return raw as FaultRule;
}

/** The queue of fault rules. */
export class FaultInjector {
  #rules: ActiveFault[] = [];
  #applied = 0;

  /** Checks every rule, then queues them all (none when one is bad). */
  add(rules: readonly unknown[]): void {
    const checked = rules.map(checkRule);
    for (const rule of checked) this.#rules.push({ ...rule, remaining: rule.times });
  }

  /** The request fault for this request, if any; counts one application. */
  takeRequestFault(method: string, path: string): ActiveFault | undefined {
    const rule = this.#rules.find((r) => r.failEmail === undefined && matches(r, method, path));
    if (rule) this.#consume(rule);
    return rule;
  }

  /** The FAILED message for a bulk entity with this email, if a failEmail rule matches; counts one application. */
  takeFailEmail(email: string): string | undefined {
    const lower = email.toLowerCase();
    const rule = this.#rules.find((r) => r.failEmail !== undefined && r.failEmail.toLowerCase() === lower);
    if (!rule) return undefined;
    this.#consume(rule);
    return rule.message ?? DEFAULT_MESSAGE;
  }

  /** True when some failEmail rule is queued (spares the per-user lookup otherwise). */
  get hasUserFaults(): boolean {
    return this.#rules.some((r) => r.failEmail !== undefined);
  }

  /** The queued rules with what is left of them. */
  list(): ActiveFault[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  /** How many times rules have applied since the last reset. */
  get applied(): number {
    return this.#applied;
  }

  /** Drops every rule and the count. */
  clear(): void {
    this.#rules = [];
    this.#applied = 0;
  }

  #consume(rule: ActiveFault): void {
    this.#applied++;
    if (rule.remaining === undefined) return;
    rule.remaining--;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  if (rule.path === undefined) return path !== TOKEN_PATH;
  return rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path;
}
