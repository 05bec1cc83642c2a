import { SyncError } from '../errors.js';
import { KEY_LENGTH, META_NAME_LENGTH } from './entities/table-names.js';
import { FINGERPRINT_KEY_META } from '../digest/fingerprint-key.js';
import type { BackfillProgress } from './state-store.js';
import { redactText } from '../redact/redact.js';

/** The longest dead-letter reason kept; longer ones are cut (cidaas messages can be long). */
export const REASON_LENGTH = 2000;

function reject(message: string): SyncError {
  return new SyncError('STATE_STORE', message, { hint: 'this is a bug in the caller of the state store; please report it' });
}

/** A legacy key or cidaas sub: a non-empty string of at most 255 characters. */
export function checkKey(value: unknown, what = 'legacy key'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > KEY_LENGTH) {
    const shown = typeof value === 'string' ? `${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? '...' : ''} (${value.length} characters)` : typeof value;
    throw reject(`refusing to store ${what} ${shown}: it must be a string of 1 to ${KEY_LENGTH} characters`);
  }
  return value;
}

/** A valid Date. */
export function checkDate(value: unknown, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw reject(`refusing to store ${what}: it is not a valid Date`);
  return value;
}

/** A source position: a non-empty string. */
export function checkPosition(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw reject('refusing to store an empty checkpoint position');
  return value;
}

/** A metadata name: non-empty, at most 191 characters. */
export function checkMetaName(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > META_NAME_LENGTH) {
    throw reject(`refusing metadata name ${JSON.stringify(String(value).slice(0, 40))}: it must be 1 to ${META_NAME_LENGTH} characters`);
  }
  // The fingerprint key is read once at open (fingerprintKey()); it is never read out or replaced through the metadata calls.
  if (value === FINGERPRINT_KEY_META) throw reject(`refusing metadata name ${JSON.stringify(value)}: it holds the fingerprint key, which only the store itself reads`);
  return value;
}

function checkCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw reject(`refusing backfill progress: ${what} must be a non-negative integer`);
  return value;
}

/** Backfill progress as the store keeps it. */
export function checkBackfill(p: BackfillProgress): BackfillProgress {
  if (p.status !== 'running' && p.status !== 'done') throw reject(`refusing backfill progress: status ${JSON.stringify(p.status)} is not running or done`);
  return {
    status: p.status,
    startPosition: checkPosition(p.startPosition),
    lastKey: p.lastKey === null ? null : checkKey(p.lastKey, 'backfill last key'),
    usersDone: checkCount(p.usersDone, 'usersDone'),
    usersTotal: p.usersTotal === null ? null : checkCount(p.usersTotal, 'usersTotal'),
    startedAt: checkDate(p.startedAt, 'backfill startedAt'),
    finishedAt: p.finishedAt === null ? null : checkDate(p.finishedAt, 'backfill finishedAt'),
  };
}

/** Cuts a dead-letter reason to {@link REASON_LENGTH} characters. */
export function clipReason(reason: unknown): string {
  // Every dead-letter reason is stored redacted, whoever wrote it (cidaas, a mapping module).
  const text = redactText(typeof reason === 'string' ? reason : String(reason));
  return text.length > REASON_LENGTH ? `${text.slice(0, REASON_LENGTH - 3)}...` : text;
}

/** Splits a list into chunks of at most `size`: IN lists and multi-row inserts stay under every driver's parameter limit. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
