/**
 * mysql.decode: how fast MysqlSource delivers decoded row changes, against `mariadb-binlog
 * --read-from-remote-server -v` reading the same binlog range from the same server. The rows are
 * inserted first (transactions of ROWS_PER_TX rows into the shop `users` table) between two
 * recorded binlog positions; both readers then read exactly that range. Our handler only counts;
 * mariadb-binlog writes to /dev/null (timed), and once more, untimed, into a counter of its
 * `### INSERT INTO` lines, to make sure it decoded the same rows. Both timings include connecting.
 * The machine is shared and noisy and one pass takes about a second: each side runs RUNS times,
 * alternating, and the fastest run of each counts. `zongji_rows_per_s` is bare @vlasky/zongji over
 * the same range (its row events counted in its `binlog` listener): the library's own ceiling,
 * which tells the adapter's overhead from the decoder's.
 * BENCH.md goal: ratio >= 0.8 (issue 5: >= 0.5).
 */
import { spawn } from 'node:child_process';
import type { RowDataPacket } from 'mysql2/promise';
import { createInterface } from 'node:readline';
import { formatBinlogPosition } from '../adapters/mysql/binlog-position.js';
import ZongJi from '@vlasky/zongji';
import type { AnyBinlogEvent, WriteRowsEvent } from '@vlasky/zongji';
import { mysqlConnectionOptions } from '../adapters/mysql/mysql-connection-options.js';
import { MysqlSource } from '../adapters/mysql/mysql-source.js';
import { stopZongji, ZONGJI_EVENTS } from '../adapters/mysql/zongji-control.js';
import { silentLogger } from '../src/observability/logger.js';
import { Secret } from '../src/secret.js';
import type { SourceHandler } from '../src/source.js';
import { MARIADB_TEST_PASSWORD } from '../test/support/mariadb-server.js';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { binlogEnd, startBenchMariaDb, type BenchMariaDb } from './support/bench-mariadb.js';
import { perSecond, round } from './support/figures.js';

const SIZES = { full: 200_000, small: 20_000 } as const;
/** Rows per inserted transaction. */
const ROWS_PER_TX = 100;
/** Timed passes of each reader; the fastest counts. */
const RUNS = 3;
const COLUMNS = ['email', 'email_confirmed', 'first_name', 'last_name', 'phone', 'login', 'customer_number', 'created_at'] as const;

async function insertRows(database: BenchMariaDb, rows: number): Promise<void> {
  for (let from = 0; from < rows; from += ROWS_PER_TX) {
    const batch = Array.from({ length: Math.min(ROWS_PER_TX, rows - from) }, (_, k) => {
      const n = from + k;
      return [`decode.user.${n}@example.com`, n % 3 !== 0, `First${n % 97}`, `Last${n % 89}`, `+49151${String(n).padStart(8, '0')}`, `login_${n}`, `C-${n}`, new Date(1_500_000_000_000 + n * 1000)];
    });
    await database.db.insertMany('users', COLUMNS, batch);
  }
}

interface BinlogRange {
  readonly start: { file: string; offset: number };
  readonly end: { file: string; offset: number };
  /** The binlog files from start to end, in order. */
  readonly files: readonly string[];
}

/** Runs mariadb-binlog over `range`; `onLine` (when given) sees every output line, else the output goes to /dev/null. */
async function mariadbBinlog(database: BenchMariaDb, range: BinlogRange, onLine?: (line: string) => void): Promise<number> {
  const args = [
    '--read-from-remote-server', `--host=${database.server.host}`, `--port=${database.server.port}`, '--user=root', `--password=${MARIADB_TEST_PASSWORD}`,
    '-v', `--start-position=${range.start.offset}`, `--stop-position=${range.end.offset}`, ...range.files,
  ];
  const started = performance.now();
  const child = spawn('mariadb-binlog', args, { stdio: ['ignore', onLine ? 'pipe' : 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  if (onLine && child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('mariadb-binlog did not finish in 10 minutes')); }, 600_000);
    child.on('error', reject);
    child.on('close', (c) => { clearTimeout(timer); resolve(c); });
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`mariadb-binlog exited ${String(code)}: ${stderr.trim()}`);
  return ms;
}

/** Bare zongji from the range's start until `rows` rows arrived; resolves with the elapsed ms. */
async function zongjiDecode(database: BenchMariaDb, range: BinlogRange, rows: number): Promise<number> {
  const zongji = new ZongJi(mysqlConnectionOptions(new Secret(database.url)));
  let seen = 0;
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`zongji delivered ${seen} of ${rows} rows in 10 minutes`)), 600_000);
      zongji.on('error', (err: Error) => { clearTimeout(timer); reject(err); });
      zongji.on('binlog', (e: AnyBinlogEvent) => {
        if (e.getEventName() !== 'writerows') return;
        seen += (e as WriteRowsEvent).rows.length;
        if (seen >= rows) { clearTimeout(timer); resolve(); }
      });
      zongji.start({
        serverId: 9002, filename: range.start.file, position: range.start.offset,
        includeEvents: ZONGJI_EVENTS, includeSchema: { [database.database]: ['users'] },
      });
    });
    return performance.now() - started;
  } finally {
    await stopZongji(zongji);
  }
}

/** Streams with MysqlSource from the range's start until `rows` changes arrived; resolves with the elapsed ms. */
async function ourDecode(database: BenchMariaDb, range: BinlogRange, rows: number): Promise<{ ms: number; rows: number; commits: number }> {
  const source = new MysqlSource({ url: new Secret(database.url), serverId: 9001, tables: [`${database.database}.users`], logger: silentLogger });
  let seen = 0;
  let commits = 0;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
  const handler: SourceHandler = {
    begin: async () => undefined,
    change: async () => { seen += 1; },
    truncate: async () => undefined,
    commit: async () => {
      commits += 1;
      if (seen >= rows) finish();
    },
    abort: async () => undefined,
    idle: async () => undefined,
  };
  const timeout = setTimeout(() => fail(new Error(`MysqlSource delivered ${seen} of ${rows} rows in 10 minutes`)), 600_000);
  try {
    await source.prepare();
    const started = performance.now();
    await source.start(formatBinlogPosition({ ...range.start, gtid: null }), handler, fail);
    await done;
    return { ms: performance.now() - started, rows: seen, commits };
  } finally {
    clearTimeout(timeout);
    await source.stop();
  }
}

export const mysqlDecodeBench: Bench = {
  name: 'mysql.decode',
  async run(scale: BenchScale): Promise<BenchFigures> {
    const rows = SIZES[scale];
    const database = await startBenchMariaDb('bench_decode');
    try {
      const start = await binlogEnd(database.root);
      progress(`inserting ${rows} rows in transactions of ${ROWS_PER_TX}`);
      await insertRows(database, rows);
      const end = await binlogEnd(database.root);
      const [logs] = await database.root.query<RowDataPacket[]>('SHOW BINARY LOGS');
      const names = logs.map((l) => String(l['Log_name']));
      const range: BinlogRange = { start, end, files: names.slice(names.indexOf(start.file), names.indexOf(end.file) + 1) };

      let nativeRows = 0;
      await mariadbBinlog(database, range, (line) => { if (line.startsWith('### INSERT INTO')) nativeRows += 1; });
      if (nativeRows !== rows) throw new Error(`mariadb-binlog decoded ${nativeRows} rows, not ${rows}`);

      const times = { native: [] as number[], ours: [] as number[], zongji: [] as number[] };
      let commits = 0;
      for (let run = 1; run <= RUNS; run++) {
        progress(`run ${run}/${RUNS}: mariadb-binlog -v over ${range.files.join(', ')} (${start.offset}..${end.offset}), MysqlSource, bare zongji`);
        times.native.push(await mariadbBinlog(database, range));
        const mine = await ourDecode(database, range, rows);
        if (mine.rows !== rows) throw new Error(`MysqlSource delivered ${mine.rows} rows, not ${rows}`);
        times.ours.push(mine.ms);
        commits = mine.commits;
        times.zongji.push(await zongjiDecode(database, range, rows));
      }
      const best = (ms: number[]): number => Math.min(...ms);
      const rowsPerS = perSecond(rows, best(times.ours));
      const nativePerS = perSecond(rows, best(times.native));
      return {
        rows,
        rows_per_s: rowsPerS,
        native_rows_per_s: nativePerS,
        ratio: round(rowsPerS / nativePerS, 3),
        zongji_rows_per_s: perSecond(rows, best(times.zongji)),
        rows_per_tx: ROWS_PER_TX,
        transactions: commits,
        binlog_bytes: range.files.length === 1 ? end.offset - start.offset : NaN,
        runs: RUNS,
        seconds: times.ours.map((ms) => round(ms / 1000, 2)).join(' '),
        native_seconds: times.native.map((ms) => round(ms / 1000, 2)).join(' '),
        zongji_seconds: times.zongji.map((ms) => round(ms / 1000, 2)).join(' '),
      };
    } finally {
      await database.close();
    }
  },
};
