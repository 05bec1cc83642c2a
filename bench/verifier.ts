/**
 * `verifier`: the password verification service under load, per CUSTOM_ format. The
 * service runs as `cidaas-sync verifier` in its own process with one check at a time
 * (one core); the bench keeps 4 requests in flight with a token of an emulator tenant
 * and reports requests/s and p99 latency. In the same run, the same hash is checked
 * by the bare algorithm (the format's verify function, no HTTP, no token, no queue):
 * `<format>_ratio` = service rps / bare rps says what the service costs on top of the
 * hash itself (the service hashes on a worker thread; the bare check runs on the bench's
 * thread). Vectors are the platforms' own (test/unit/password/formats).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../tools/emulator/cidaas-emulator.js';
import type { CustomHashParams } from '../src/password/formats/custom-hash-format.js';
import { customHashFormat } from '../src/password/formats/custom-hash-formats.js';
import { FIREBASE_README_PARAMS, HASH_VECTORS, type HashVector } from '../test/unit/password/formats/custom-hash-vectors.js';
import { progress, type Bench, type BenchFigures, type BenchScale } from './bench.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const IN_FLIGHT = 4;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function shortName(id: string): string {
  return id.replace(/^CUSTOM_/, '').toLowerCase();
}

/** One vector per format: the first listed. */
function vectors(): HashVector[] {
  const seen = new Set<string>();
  return HASH_VECTORS.filter((v) => (seen.has(v.id) ? false : (seen.add(v.id), true)));
}

async function startVerifierProcess(tenant: string, config: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['bin/cidaas-sync.js', 'verifier', '--tenant', tenant, '--port', '0', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`verifier exited with ${code}`)));
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function run(scale: BenchScale): Promise<BenchFigures> {
  const seconds = scale === 'full' ? 3 : 0.6;
  const dir = await mkdtemp(join(tmpdir(), 'bench-verifier-'));
  const config = join(dir, 'verifier.yaml');
  const fb = FIREBASE_README_PARAMS;
  await writeFile(config, `verifier:\n  maxConcurrent: 1\n  maxQueue: 1000\n  firebaseScrypt:\n    signerKey: "${fb.signerKey}"\n    saltSeparator: "${fb.saltSeparator}"\n    rounds: ${fb.rounds}\n    memCost: ${fb.memCost}\n`);
  const params: CustomHashParams = {
    firebaseScrypt: { signerKey: Buffer.from(fb.signerKey, 'base64'), saltSeparator: Buffer.from(fb.saltSeparator, 'base64'), rounds: fb.rounds, memCost: fb.memCost },
  };
  const tenant = await startEmulator({ clientId: 'bench', clientSecret: 'bench' });
  const verifier = await startVerifierProcess(tenant.url, config);
  const token = tenant.issueToken();
  const figures: BenchFigures = { in_flight: IN_FLIGHT };
  try {
    for (const v of vectors()) {
      const name = shortName(v.id);
      const body = JSON.stringify({ passwordVerification: { passwordHash: v.hash, ...(v.salt !== undefined ? { hData: { salt: v.salt } } : {}) }, password: v.password, algorithm: v.id });
      const format = customHashFormat(v.id)!;
      // Warm-up, not measured: worker start-up, JIT, the JWKS fetch.
      await (await fetch(`${verifier.url}?action=compare`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body })).text();
      await format.verify(v.password, v.hash, v.salt, params);
      const latencies: number[] = [];
      const until = performance.now() + seconds * 1000;
      const started = performance.now();
      let failures = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          // At least two requests per worker, so a slow hash still gets a p99.
          for (let i = 0; i < 2 || performance.now() < until; i++) {
            const t0 = performance.now();
            const res = await fetch(`${verifier.url}?action=compare`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
            const answer = (await res.json()) as { data?: { verified?: boolean } };
            if (answer.data?.verified !== true) failures++;
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      if (failures > 0) throw new Error(`${v.id}: ${failures} requests not verified`);
      let bare = 0;
      const refStart = performance.now();
      const refUntil = refStart + seconds * 1000;
      while (bare < 2 || performance.now() < refUntil) {
        if (!(await format.verify(v.password, v.hash, v.salt, params))) throw new Error(`${v.id}: reference check failed`);
        bare++;
      }
      const refRps = bare / ((performance.now() - refStart) / 1000);
      const rps = latencies.length / elapsed;
      latencies.sort((a, b) => a - b);
      figures[`${name}_rps`] = Math.round(rps * 10) / 10;
      figures[`${name}_p99_ms`] = Math.round(percentile(latencies, 99) * 10) / 10;
      figures[`${name}_ref_rps`] = Math.round(refRps * 10) / 10;
      figures[`${name}_ratio`] = Math.round((rps / refRps) * 100) / 100;
      progress(`${v.id}: ${rps.toFixed(1)} req/s (p99 ${percentile(latencies, 99).toFixed(1)} ms), bare ${refRps.toFixed(1)}/s`);
    }
  } finally {
    await verifier.stop();
    await tenant.close();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

export const verifierBench: Bench = { name: 'verifier', run };
