import type { LegacyTableRole } from '../legacy-reader.js';
import type { RowExpectation } from './row-expectation.js';

/** What the expectations of one table share: its role, key columns and the columns an image carries. */
interface Shape {
  readonly role: LegacyTableRole;
  readonly identityColumns: readonly string[];
  readonly columns: readonly string[] | null;
}

/**
 * A dirty user's row expectations packed into one string, so that a user waiting in the dirty set
 * costs a few dozen bytes instead of a Map of objects with arrays of column names (the shape those
 * objects share, role and column lists, is interned once per table and column set).
 *
 * An entry is `shape:identityLength:digestLength:` (base 36) then the identity and the digest; the
 * newest expectation of a row (role and identity) replaces the one before it.
 */
export class PackedExpectations {
  readonly #shapes: Shape[] = [];
  readonly #shapeIds = new Map<string, number>();

  /** `packed` (a previous result, or undefined for none) with `e` added or replacing its row's. */
  add(packed: string | undefined, e: RowExpectation): string {
    const shape = this.#shapeId(e);
    const digest = e.digest ?? '';
    const entry = `${shape.toString(36)}:${e.identity.length.toString(36)}:${digest.length.toString(36)}:${e.identity}${digest}`;
    if (packed === undefined || packed === '') return flat(entry);
    let out = '';
    this.#each(packed, (s, identity, _digest, raw) => {
      if (this.#shapes[s]!.role !== e.role || identity !== e.identity) out += raw;
    });
    return flat(out + entry);
  }

  /** Every expectation of `packed`, keyed as the engine keys them (role and identity). */
  unpack(packed: string | undefined): Map<string, RowExpectation> {
    const out = new Map<string, RowExpectation>();
    if (packed === undefined) return out;
    this.#each(packed, (s, identity, digest) => {
      const shape = this.#shapes[s]!;
      out.set(expectationKey(shape.role, identity), {
        role: shape.role, identityColumns: shape.identityColumns, identity, columns: shape.columns, digest: shape.columns === null ? null : digest,
      });
    });
    return out;
  }

  #shapeId(e: RowExpectation): number {
    const name = `${e.role}\u0000${e.identityColumns.join('\u0001')}\u0000${e.columns === null ? '\u0002' : e.columns.join('\u0001')}`;
    let id = this.#shapeIds.get(name);
    if (id === undefined) {
      id = this.#shapes.length;
      this.#shapes.push({ role: e.role, identityColumns: [...e.identityColumns], columns: e.columns === null ? null : [...e.columns] });
      this.#shapeIds.set(name, id);
    }
    return id;
  }

  #each(packed: string, fn: (shape: number, identity: string, digest: string, raw: string) => void): void {
    let i = 0;
    while (i < packed.length) {
      const a = packed.indexOf(':', i);
      const b = packed.indexOf(':', a + 1);
      const c = packed.indexOf(':', b + 1);
      const idLength = parseInt(packed.slice(a + 1, b), 36);
      const digestLength = parseInt(packed.slice(b + 1, c), 36);
      const start = c + 1;
      const end = start + idLength + digestLength;
      fn(parseInt(packed.slice(i, a), 36), packed.slice(start, start + idLength), packed.slice(start + idLength, end), packed.slice(i, end));
      i = end;
    }
  }
}

/** How the engine keys a row's expectation: its role and identity. */
export function expectationKey(role: LegacyTableRole, identity: string): string {
  return `${role}\u0000${identity}`;
}

/**
 * `s` as one flat string: concatenation makes a rope of its parts (an object each), and a string
 * that waits in the dirty set for seconds should cost its characters only. Reading a character
 * flattens a rope in place; the collector then drops the rope's shell.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}
