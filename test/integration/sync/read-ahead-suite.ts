import { expect } from 'chai';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import type { LegacyReader } from '../../../src/legacy-reader.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { createSyncTarget, type SyncTarget } from './sync-target.js';

const CLIENT_ID = 'read-ahead';
const CLIENT_SECRET = 'read-ahead-secret-2026';

/** A reader that notes every key it was asked to read. */
function noting(reader: LegacyReader, keys: string[]): LegacyReader {
  return new Proxy(reader, {
    get(target, name, receiver) {
      if (name === 'readUsers') return async (ks: readonly string[]) => { keys.push(...ks); return target.readUsers(ks); };
      const v = Reflect.get(target, name, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** An HTTP proxy in front of the emulator that holds the next bulk call until {@link release}. */
interface HoldingProxy {
  readonly url: string;
  /** Bulk calls held now. */
  readonly held: number;
  holdNext(): void;
  release(): void;
  close(): Promise<void>;
}

async function holdingProxy(target: string): Promise<HoldingProxy> {
  let hold = false;
  const held: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const forward = (): void => {
      const up = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (hold && req.method === 'POST' && req.url?.startsWith('/users-srv/user/bulk') === true) {
      hold = false;
      held.push(forward);
    } else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get held() { return held.length; },
    holdNext() { hold = true; },
    release() { for (const f of held.splice(0)) f(); },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The stream holds a governor slot only around a batch's cidaas calls (#15): with one batch
 * allowed in flight and its call held by cidaas, the next batch is read from the legacy database
 * meanwhile, and pushed once the slot is free.
 */
export function defineReadAheadSuite(kind: ShopDbKind): void {
  describe(`stream read-ahead against ${kind} (#15)`, function () {
    this.timeout(120_000);
    let target: SyncTarget;
    let emu: RunningEmulator;
    let proxy: HoldingProxy;
    let config: ShopConfigFile;
    let sidecar: InProcessSidecar | undefined;

    before(async () => {
      target = await createSyncTarget(kind);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      proxy = await holdingProxy(emu.url);
      config = await writeShopConfig({
        kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: proxy.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
        concurrency: 1, batchSize: 1, extra: { engine: { flushIntervalMs: 0 } },
      });
    });

    after(async () => {
      proxy?.release();
      await sidecar?.stop();
      await proxy?.close();
      await emu?.close();
      await target?.drop();
      await config?.remove();
    });

    it('reads the next batch while the one batch in flight waits for cidaas, and pushes it once the slot is free', async () => {
      const { ids } = await seedUsers(target.db, 3, 15);
      const reads: string[] = [];
      sidecar = await startInProcessSidecar(config.path, { wrapReader: (r) => noting(r, reads) });
      await sidecar.streaming();
      const [a, b] = [String(ids[0]), String(ids[1])];
      reads.length = 0;
      // The next bulk call (the push of a) is held until the test releases it.
      proxy.holdNext();
      await target.db.updateUser(ids[0]!, { first_name: 'Held' });
      await waitFor(() => proxy.held === 1, { timeoutMs: 30_000, message: 'the push of the first user' });
      await target.db.updateUser(ids[1]!, { first_name: 'ReadAhead' });
      // Before #15 the one slot was held across the read too: b was not read until a's call ended.
      await waitFor(() => reads.includes(b), { timeoutMs: 20_000, message: () => `the read of the second user while the first call is held; reads: ${reads.join(',')}` });
      expect(emu.getUser(`legacy-${b}`)?.given_name, 'b waits for the slot').to.not.equal('ReadAhead');
      proxy.release();
      await waitFor(() => emu.getUser(`legacy-${a}`)?.given_name === 'Held' && emu.getUser(`legacy-${b}`)?.given_name === 'ReadAhead', { timeoutMs: 30_000, message: 'both pushes' });
    });
  });
}
