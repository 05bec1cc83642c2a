import winston from 'winston';
import { Secret } from '../secret.js';
import { redactText } from '../redact/redact.js';

/** The log levels used across cidaas-sync. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Structured fields of a log line: values, never secrets (a Secret prints as [redacted]). */
export type LogFields = Record<string, unknown>;

/** The logger every component receives. A thin seam over winston so tests can capture lines. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Keys whose values are dropped from any log line whatever their type: a second fence behind {@link Secret}. */
const SECRET_KEYS = /^(client_?secret|clientsecret|secret|password|password_?hash|passwordhash|hash|token|access_?token|authorization|totp|mfa_?secret)$/i;

function scrub(value: unknown, depth = 0): unknown {
  if (value instanceof Secret) return String(value);
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), ...('code' in value ? { code: (value as { code: unknown }).code } : {}) };
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : scrub(v, depth + 1);
  return out;
}

const redact = winston.format((info) => {
  info.message = redactText(String(info.message));
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEYS.test(key) ? '[redacted]' : scrub(info[key]);
  }
  return info;
});

/** winston merges a `message` field into the line's message: keep it apart as `detail`. */
function safeFields(fields?: LogFields): LogFields | undefined {
  if (!fields || !('message' in fields)) return fields;
  const { message, ...rest } = fields;
  return { ...rest, detail: message };
}

class WinstonLogger implements Logger {
  /** Whether debug lines are written: the level is set when the logger is made, and winston's check allocates on every call. */
  readonly #debug: boolean;
  constructor(private readonly w: winston.Logger) {
    this.#debug = w.isDebugEnabled();
  }
  error(message: string, fields?: LogFields): void { this.w.error(message, safeFields(fields)); }
  warn(message: string, fields?: LogFields): void { this.w.warn(message, safeFields(fields)); }
  info(message: string, fields?: LogFields): void { this.w.info(message, safeFields(fields)); }
  debug(message: string, fields?: LogFields): void {
    // Per pushed user in a backfill: skip building and scrubbing a line nobody will see.
    if (!this.#debug) return;
    this.w.debug(message, safeFields(fields));
  }
  child(fields: LogFields): Logger { return new WinstonLogger(this.w.child(fields)); }
}

export interface LoggerOptions {
  level?: LogLevel;
  /** `json` (one object a line, the default off a terminal) or `pretty` (readable lines). */
  format?: 'json' | 'pretty';
  /** Where lines go; stdout by default. */
  stream?: NodeJS.WritableStream;
}

/** Creates the process logger: JSON lines to stdout, readable lines on a TTY, secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stdout;
  const pretty = options.format ? options.format === 'pretty' : (stream as NodeJS.WriteStream).isTTY === true;
  const format = pretty
    ? winston.format.combine(redact(), winston.format.timestamp({ format: 'HH:mm:ss.SSS' }), winston.format.printf((info) => {
        const { level, message, timestamp, ...rest } = info;
        const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
        return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${extra}`;
      }))
    : winston.format.combine(redact(), winston.format.timestamp(), winston.format.json());
  const w = winston.createLogger({
    level: options.level ?? (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    format,
    transports: [new winston.transports.Stream({ stream })],
  });
  return new WinstonLogger(w);
}

/** A logger that keeps every line in memory: for tests that assert on what was logged. */
export class MemoryLogger implements Logger {
  readonly lines: { level: LogLevel; message: string; fields: LogFields }[];
  readonly #base: LogFields;

  constructor(lines: { level: LogLevel; message: string; fields: LogFields }[] = [], base: LogFields = {}) {
    this.lines = lines;
    this.#base = base;
  }
  #push(level: LogLevel, message: string, fields?: LogFields): void {
    this.lines.push({ level, message: redactText(message), fields: scrub({ ...this.#base, ...fields }) as LogFields });
  }
  error(message: string, fields?: LogFields): void { this.#push('error', message, fields); }
  warn(message: string, fields?: LogFields): void { this.#push('warn', message, fields); }
  info(message: string, fields?: LogFields): void { this.#push('info', message, fields); }
  debug(message: string, fields?: LogFields): void { this.#push('debug', message, fields); }
  child(fields: LogFields): Logger { return new MemoryLogger(this.lines, { ...this.#base, ...fields }); }
  /** Everything logged so far as one string, for "never appears" assertions. */
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n');
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  error() {}, warn() {}, info() {}, debug() {},
  child() { return silentLogger; },
};
