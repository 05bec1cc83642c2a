/**
 * The emulator side of the emulator.bulk bench, in its own process (run with
 * --expose-gc) so that the load generator does not share its event loop or heap.
 * Talks to the parent over IPC: `ready` with the URL, then answers `reset`, `heap`
 * and `close` messages.
 */
import { startEmulator } from '../tools/emulator/cidaas-emulator.js';
import { benchUser } from './bench-users.js';

const SEED_CHUNK = 10_000;

type Message = { type: 'reset' } | { type: 'heap'; users: number } | { type: 'close' };

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const emulator = await startEmulator({ clientId: 'bench', clientSecret: 'bench-secret' });
const send = (message: object): void => void process.send!(message);

process.on('message', (message: Message) => {
  if (message.type === 'reset') {
    emulator.reset();
    send({ type: 'done' });
  } else if (message.type === 'heap') {
    emulator.reset();
    const baseline = heapMb();
    const started = performance.now();
    for (let from = 0; from < message.users; from += SEED_CHUNK) {
      const chunk = Array.from({ length: Math.min(SEED_CHUNK, message.users - from) }, (_, i) => benchUser(from + i));
      // Through JSON, as over HTTP: flat strings, not the generator's shared or cons strings.
      emulator.seed(JSON.parse(JSON.stringify(chunk)) as unknown[]);
    }
    const seedMs = performance.now() - started;
    const heap = heapMb();
    send({ type: 'heap', baselineMb: baseline, heapMb: heap, rssMb: process.memoryUsage().rss / 1024 / 1024, seedMs, users: emulator.userCount });
  } else if (message.type === 'close') {
    void emulator.close().then(() => process.exit(0));
  }
});
send({ type: 'ready', url: emulator.url });
