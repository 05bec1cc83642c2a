/**
 * An emulator in its own process, so that its CPU and heap are not the benchmarked process's.
 * Started by {@link EmulatorProcess} with the options as JSON in argv[2]; answers IPC requests
 * `{ id, op, arg }` with `{ id, ok, value | error }`.
 */
import { Server, type IncomingMessage } from 'node:http';
import { startEmulator, type EmulatorOptions, type FaultRule } from '../../tools/emulator/cidaas-emulator.js';
import { UserStore } from '../../tools/emulator/user-store.js';

const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
/** When each bulk call arrived (ms since epoch): bench instrumentation on the HTTP server's 'request' event. */
const bulkArrivals: number[] = [];
const emit = Server.prototype.emit;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request') {
    const req = args[0] as IncomingMessage;
    if (req.method === 'POST' && req.url?.startsWith('/users-srv/user/bulk') === true) bulkArrivals.push(Date.now());
  }
  return Reflect.apply(emit, this, [event, ...args]) as boolean;
} as typeof Server.prototype.emit;
/**
 * Every user stored through the bulk API once `watchArrivals` was asked: [sub, given_name, when]
 * (ms on the epoch clock, performance.timeOrigin + now(), comparable across processes), noted
 * synchronously right after the store changed, before the answer goes out. Bench
 * instrumentation for the stream bench's latencies (arrival-watch.ts).
 */
const arrivals: [string, string | null, number][] = [];
let watching = false;
const upsert = UserStore.prototype.upsert;
UserStore.prototype.upsert = function (this: UserStore, ...args: Parameters<UserStore['upsert']>) {
  const outcome = upsert.apply(this, args);
  if (watching && 'status' in outcome && (outcome.status === 'CREATED' || outcome.status === 'UPDATED')) {
    arrivals.push([outcome.sub, this.get(outcome.sub)?.given_name ?? null, performance.timeOrigin + performance.now()]);
  }
  return outcome;
};
const emulator = await startEmulator(options);
const send = (message: object): void => void process.send!(message);

interface Request {
  readonly id: number;
  readonly op: 'stats' | 'reset' | 'addFaults' | 'clearFaults' | 'userCount' | 'bulkArrivals' | 'watchArrivals' | 'arrivals' | 'close';
  readonly arg?: unknown;
}

process.on('message', (req: Request) => {
  const answer = (value: unknown): void => send({ id: req.id, ok: true, value });
  try {
    switch (req.op) {
      case 'stats':
        return answer(emulator.stats());
      case 'bulkArrivals':
        return answer(bulkArrivals);
      case 'watchArrivals':
        watching = true;
        return answer(arrivals.length);
      case 'arrivals':
        return answer(arrivals.slice(req.arg as number));
      case 'reset':
        emulator.reset();
        bulkArrivals.length = 0;
        return answer(null);
      case 'addFaults':
        emulator.addFaults(req.arg as FaultRule[]);
        return answer(null);
      case 'clearFaults':
        // reset() also clears the store: the faults alone go through the admin route.
        void fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' }).then(() => answer(null), (err: unknown) => send({ id: req.id, ok: false, error: String(err) }));
        return;
      case 'userCount':
        return answer(emulator.userCount);
      case 'close':
        void emulator.close().then(() => {
          answer(null);
          process.exit(0);
        });
        return;
    }
  } catch (err) {
    send({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
// The parent died: nothing left to serve.
process.on('disconnect', () => void emulator.close().then(() => process.exit(0)));
send({ type: 'ready', url: emulator.url });
