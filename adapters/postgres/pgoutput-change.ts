import type { Pgoutput } from 'pg-logical-replication';
import type { RowChange, RowImage } from '../../src/source.js';

/** A pgoutput row message. */
export type PgoutputRowMessage = Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete;

/** The table of a relation as the configuration names it: `schema.name`. */
export function relationName(relation: Pgoutput.MessageRelation): string {
  return `${relation.schema}.${relation.name}`;
}

/**
 * The row change a pgoutput message carries, with plain-object images.
 *
 * `primaryKey` is the table's primary key when it has one: under REPLICA IDENTITY FULL pgoutput
 * flags every column as key, which would make every update look like a different row. Without one,
 * the replica identity index columns (none under FULL).
 */
export function toRowChange(message: PgoutputRowMessage, primaryKey: readonly string[] | undefined): RowChange {
  const relation = message.relation;
  const keyColumns = primaryKey ?? (relation.replicaIdentity === 'full' ? [] : relation.keyColumns);
  const table = relationName(relation);
  switch (message.tag) {
    case 'insert':
      return { table, op: 'insert', before: null, after: copy(message.new), keyColumns };
    case 'update':
      return { table, op: 'update', before: oldImage(message), after: copy(message.new), keyColumns };
    case 'delete':
      return { table, op: 'delete', before: oldImage(message), after: null, keyColumns };
  }
}

/** The full old row (FULL), else the old key (key-only tuple), else none. */
function oldImage(message: Pgoutput.MessageUpdate | Pgoutput.MessageDelete): RowImage | null {
  if (message.old) return copy(message.old);
  if (message.key) return keyOnly(message.key);
  return null;
}

// The new row keeps `undefined` for an unchanged TOASTed column: the contract says the log did not carry it.
function copy(tuple: Record<string, unknown>): RowImage {
  return { ...tuple };
}

// The library fills non-key columns of a key-only tuple with undefined: keep only what the log carried.
function keyOnly(tuple: Record<string, unknown>): RowImage {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tuple)) if (v !== undefined) out[k] = v;
  return out;
}
