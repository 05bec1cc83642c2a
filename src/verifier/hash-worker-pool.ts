import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CustomHashParams } from '../password/formats/custom-hash-format.js';
import type { HashJob, HashOutcome } from './hash-worker.js';

interface Slot {
  worker: Worker;
  job: { seq: number; resolve: (v: boolean) => void; reject: (e: Error) => void } | undefined;
}

/**
 * `size` worker threads that check passwords (hash-worker.ts). The caller bounds how many
 * checks are in flight (WorkLimiter) to at most `size`; a check beyond that waits here
 * for a free worker. A worker that dies fails its check and is replaced.
 */
export class HashWorkerPool {
  readonly #slots: Slot[] = [];
  readonly #waiting: (() => void)[] = [];
  #seq = 0;
  #closed = false;

  constructor(
    size: number,
    private readonly params: CustomHashParams,
  ) {
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  /** Whether `password` matches, computed on a worker thread. */
  async verify(id: string, hash: string, salt: string | undefined, password: string): Promise<boolean> {
    let slot = this.#slots.find((s) => s.job === undefined);
    while (slot === undefined) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      if (this.#closed) throw new Error('the verifier is closing');
      slot = this.#slots.find((s) => s.job === undefined);
    }
    const seq = ++this.#seq;
    const taken = slot;
    return new Promise<boolean>((resolve, reject) => {
      taken.job = { seq, resolve, reject };
      taken.worker.postMessage({ seq, id, hash, salt, password } satisfies HashJob);
    });
  }

  /** Stops every worker; checks still running fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #spawn(): Slot {
    const slot: Slot = { worker: startWorker(this.params), job: undefined };
    slot.worker.unref();
    slot.worker.on('message', (outcome: HashOutcome) => {
      const job = slot.job;
      if (job === undefined || job.seq !== outcome.seq) return;
      slot.job = undefined;
      if ('failed' in outcome) job.reject(new Error('the hash check failed'));
      else job.resolve(outcome.verified);
      this.#waiting.shift()?.();
    });
    const replace = (): void => {
      slot.job?.reject(new Error('a hash worker stopped'));
      slot.job = undefined;
      if (this.#closed) return;
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots[index] = this.#spawn();
      this.#waiting.shift()?.();
    };
    slot.worker.once('error', replace);
    slot.worker.once('exit', () => {
      if (!this.#closed) replace();
    });
    return slot;
  }
}

/**
 * From a checkout the sources are TypeScript run through tsx, which a worker thread does
 * not inherit: the worker registers tsx itself before loading hash-worker.ts. A build
 * (dist/) loads hash-worker.js directly.
 */
function startWorker(params: CustomHashParams): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./hash-worker.js', self), { workerData: params });
  const target = new URL('./hash-worker.ts', self).href;
  // require.resolve finds tsx's CommonJS build; the worker needs its ES module build next to it.
  const tsx = pathToFileURL(createRequire(self).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`;
  return new Worker(code, { eval: true, workerData: params });
}
