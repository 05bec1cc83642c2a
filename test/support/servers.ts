import mysql from 'mysql2/promise';
import pg from 'pg';
import { startMariaDbServer } from './mariadb-server.js';
import type { MariaDbServer } from './mariadb-server.js';
import { startPostgresServer } from './postgres-server.js';
import type { PostgresServer } from './postgres-server.js';
import { waitFor } from './wait-for.js';

/** A fresh PostgreSQL database for one test file, on the shared server. */
export interface PostgresTestDatabase {
  /** Superuser connection URL to this database. */
  readonly url: string;
  /** The database name (also usable as an unquoted identifier). */
  readonly database: string;
  /** The shared server it lives on. */
  readonly server: PostgresServer;
  /** Drops the database and its replication slots, ending their sessions first. */
  drop(): Promise<void>;
}

/** A fresh MariaDB database (schema) for one test file, on the shared server. */
export interface MariaDbTestDatabase {
  /** Superuser URL over TCP with this database as the default schema. */
  readonly url: string;
  /** The database name (also usable unquoted). */
  readonly database: string;
  /** The shared server it lives on. */
  readonly server: MariaDbServer;
  /** Drops the database. */
  drop(): Promise<void>;
}

let postgres: Promise<PostgresServer> | undefined;
let mariadb: Promise<MariaDbServer> | undefined;
let counter = 0;

/** The run's PostgreSQL server, started on first use and shared by all test files. */
export function getPostgresServer(): Promise<PostgresServer> {
  postgres ??= startPostgresServer();
  return postgres;
}

/** The run's MariaDB server, started on first use and shared by all test files. */
export function getMariaDbServer(): Promise<MariaDbServer> {
  mariadb ??= startMariaDbServer();
  return mariadb;
}

/**
 * A name unique in this run and across concurrent runs, safe as an unquoted SQL
 * identifier, a replication slot or a publication name: `prefix_pid_n`.
 */
export function uniqueName(prefix = 'test'): string {
  let base = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40);
  if (!/^[a-z_]/.test(base)) base = `t_${base}`;
  counter += 1;
  return `${base}_${process.pid}_${counter}`;
}

/** Creates a new database on the shared PostgreSQL server. */
export async function createPostgresDatabase(prefix = 'test'): Promise<PostgresTestDatabase> {
  const server = await getPostgresServer();
  const database = uniqueName(prefix);
  await withPostgres(server.url, (client) => client.query(`CREATE DATABASE ${database}`));
  return {
    url: server.urlFor(database),
    database,
    server,
    drop: () => dropPostgresDatabase(server, database),
  };
}

/** Creates a new database on the shared MariaDB server. */
export async function createMariaDbDatabase(prefix = 'test'): Promise<MariaDbTestDatabase> {
  const server = await getMariaDbServer();
  const database = uniqueName(prefix);
  await withMariaDb(server.url, (connection) => connection.query(`CREATE DATABASE ${database}`));
  return {
    url: server.urlFor(database),
    database,
    server,
    drop: async () => {
      await withMariaDb(server.url, (connection) => connection.query(`DROP DATABASE IF EXISTS ${database}`));
    },
  };
}

// DROP DATABASE refuses while a replication slot uses the database, active or not.
async function dropPostgresDatabase(server: PostgresServer, database: string): Promise<void> {
  await withPostgres(server.url, async (client) => {
    await client.query(
      'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL',
      [database],
    );
    await waitFor(
      async () => {
        const active = await client.query('SELECT 1 FROM pg_replication_slots WHERE database = $1 AND active', [database]);
        return active.rowCount === 0;
      },
      { timeoutMs: 10_000, message: `the replication slots of ${database} to become inactive` },
    );
    await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1', [
      database,
    ]);
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
}

/** Runs `work` on a new client of `url`, closed afterwards. */
export async function withPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` on a new connection to `url`, closed afterwards. */
export async function withMariaDb<T>(url: string, work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(url);
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}
