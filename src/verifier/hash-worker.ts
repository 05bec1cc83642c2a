/*
 * A hash worker of the verifier (hash-worker-pool.ts): checks one password at a time off
 * the main thread, so a slow hash never stalls token checks, refusals and 503 answers.
 * Messages in: {seq, id, hash, salt, password}; out: {seq, verified} or {seq, failed}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CustomHashParams } from '../password/formats/custom-hash-format.js';
import { customHashFormat } from '../password/formats/custom-hash-formats.js';

export interface HashJob {
  readonly seq: number;
  readonly id: string;
  readonly hash: string;
  readonly salt: string | undefined;
  readonly password: string;
}

export type HashOutcome = { readonly seq: number; readonly verified: boolean } | { readonly seq: number; readonly failed: true };

const params = workerData as CustomHashParams;
const port = parentPort!;
port.on('message', (job: HashJob) => {
  const format = customHashFormat(job.id);
  const check = format === undefined ? Promise.resolve(false) : format.verify(job.password, job.hash, job.salt, params);
  check.then(
    (verified) => port.postMessage({ seq: job.seq, verified } satisfies HashOutcome),
    // Never the error itself: it could quote the input.
    () => port.postMessage({ seq: job.seq, failed: true } satisfies HashOutcome),
  );
});
