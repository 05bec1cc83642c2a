/**
 * pg.decode: how fast PostgresSource delivers decoded row changes, against pg_recvlogical reading
 * the same WAL with the same plugin and options (pgoutput, proto_version 1, the same publication).
 * Two slots are created before the rows are inserted, so both read exactly the same transactions.
 * Our handler only counts (as cheap as a handler can be); pg_recvlogical writes to /dev/null and
 * exits at --endpos. Both timings include connecting. BENCH.md goal: ratio >= 0.8 (issue 4: >= 0.5).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PostgresSource } from '../adapters/postgres/postgres-source.js';
import { silentLogger } from '../src/observability/logger.js';
import { Secret } from '../src/secret.js';
import type { SourceHandler } from '../src/source.js';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { startBenchDatabase, type BenchDatabase } from './support/bench-postgres.js';
import { perSecond, round } from './support/figures.js';
import { uniqueName } from '../test/support/servers.js';

const SIZES = { full: 200_000, small: 20_000 } as const;
/** Rows per inserted transaction. */
const ROWS_PER_TX = 100;
const COLUMNS = ['email', 'email_confirmed', 'first_name', 'last_name', 'phone', 'login', 'customer_number', 'created_at'] as const;

async function insertRows(database: BenchDatabase, rows: number): Promise<void> {
  for (let from = 0; from < rows; from += ROWS_PER_TX) {
    const batch = Array.from({ length: Math.min(ROWS_PER_TX, rows - from) }, (_, k) => {
      const n = from + k;
      return [`decode.user.${n}@example.com`, n % 3 !== 0, `First${n % 97}`, `Last${n % 89}`, `+49151${String(n).padStart(8, '0')}`, `login_${n}`, `C-${n}`, new Date(1_500_000_000_000 + n * 1000)];
    });
    await database.db.insertMany('users', COLUMNS, batch);
  }
}

/**
 * pg_recvlogical: next to the server's programs, else from a system PostgreSQL (the npm-shipped
 * server binaries have none; a client of another major version reads pgoutput the same way).
 */
function recvlogical(bindir: string): string {
  const system = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : [];
  const found = [bindir, ...system].map((d) => join(d, 'pg_recvlogical')).find((p) => existsSync(p));
  if (!found) throw new Error(`pg.decode needs pg_recvlogical (not in ${bindir}): install postgresql-client, or set CIDAAS_TEST_PG_BINDIR to a PostgreSQL bin dir that has it`);
  return found;
}

/** Runs pg_recvlogical until `endLsn`; resolves with the elapsed ms. */
async function nativeDecode(database: BenchDatabase, slot: string, endLsn: string): Promise<number> {
  const started = performance.now();
  const child = spawn(recvlogical(database.bindir), [
    '-d', database.url, '--slot', slot, '--start', '--no-loop',
    '-o', 'proto_version=1', '-o', `publication_names=${database.publication}`,
    '-f', '/dev/null', '--endpos', endLsn,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`pg_recvlogical did not reach ${endLsn} in 10 minutes`)); }, 600_000);
    child.on('error', reject);
    child.on('close', (c) => { clearTimeout(timer); resolve(c); });
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`pg_recvlogical exited ${String(code)}: ${stderr.trim()}`);
  return ms;
}

/** Streams with PostgresSource until `rows` changes arrived; resolves with the elapsed ms. */
async function ourDecode(database: BenchDatabase, slot: string, rows: number): Promise<{ ms: number; rows: number; commits: number }> {
  const source = new PostgresSource({ url: new Secret(database.url), slot, publication: database.publication, tables: ['public.users'], logger: silentLogger });
  let seen = 0;
  let commits = 0;
  let last: string | null = null;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
  const handler: SourceHandler = {
    begin: async () => undefined,
    change: async () => { seen += 1; },
    truncate: async () => undefined,
    commit: async (tx) => {
      commits += 1;
      last = tx.position;
      if (seen >= rows) finish();
    },
    abort: async () => undefined,
    idle: async () => undefined,
  };
  const timeout = setTimeout(() => fail(new Error(`PostgresSource delivered ${seen} of ${rows} rows in 10 minutes`)), 600_000);
  try {
    await source.prepare();
    const started = performance.now();
    await source.start(null, handler, fail);
    await done;
    const ms = performance.now() - started;
    if (last !== null) await source.acknowledge(last);
    return { ms, rows: seen, commits };
  } finally {
    clearTimeout(timeout);
    await source.stop();
  }
}

export const pgDecodeBench: Bench = {
  name: 'pg.decode',
  async run(scale: BenchScale): Promise<BenchFigures> {
    const rows = SIZES[scale];
    const database = await startBenchDatabase('bench_decode');
    try {
      const ours = uniqueName('decode_ours');
      const native = uniqueName('decode_native');
      for (const slot of [ours, native]) await database.db.query("SELECT pg_create_logical_replication_slot(?, 'pgoutput')", [slot]);
      progress(`inserting ${rows} rows in transactions of ${ROWS_PER_TX}`);
      await insertRows(database, rows);
      const [end] = await database.db.query('SELECT pg_current_wal_lsn()::text AS lsn');
      const endLsn = String(end!['lsn']);
      // A write past the end, on a table outside the publication, so that the log moves beyond endLsn.
      await database.db.insertOrder();

      progress(`pg_recvlogical to ${endLsn}`);
      const nativeMs = await nativeDecode(database, native, endLsn);
      progress('PostgresSource');
      const mine = await ourDecode(database, ours, rows);
      if (mine.rows !== rows) throw new Error(`PostgresSource delivered ${mine.rows} rows, not ${rows}`);
      const rowsPerS = perSecond(rows, mine.ms);
      const nativePerS = perSecond(rows, nativeMs);
      return {
        rows,
        rows_per_s: rowsPerS,
        native_rows_per_s: nativePerS,
        ratio: round(rowsPerS / nativePerS, 3),
        rows_per_tx: ROWS_PER_TX,
        transactions: mine.commits,
        seconds: round(mine.ms / 1000, 2),
        native_seconds: round(nativeMs / 1000, 2),
        loadavg_1m: round(loadavg()[0]!, 1),
      };
    } finally {
      await database.close();
    }
  },
};

