import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { pollUntil } from '../../tools/throwaway/poll-until.js';

/**
 * A headless Chromium (Debian's `chromium` package) driven over the DevTools protocol, for
 * tests that load a page as an operator's browser would: console messages and uncaught
 * exceptions are collected, expressions evaluated in the page, screenshots taken.
 */
export interface HeadlessPage {
  /** Console messages of level error and uncaught exceptions, as text. */
  readonly errors: readonly string[];
  /** Navigates and resolves once the load event fired. */
  goto(url: string): Promise<void>;
  /** Evaluates an expression in the page and returns its (JSON) value. */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

/** The Chromium binary, or null when none is installed. */
export function chromiumBinary(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

interface CdpMessage { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string } }

/** Starts Chromium with one blank page and connects to that page. */
export async function openHeadlessPage(o: { width?: number; height?: number } = {}): Promise<HeadlessPage> {
  const binary = chromiumBinary();
  if (!binary) throw new Error('no Chromium found: apt-get install chromium');
  const profile = await mkdtemp(join(tmpdir(), 'cidaas-sync-chromium-'));
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
    '--disable-background-networking', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${profile}`,
    `--window-size=${o.width ?? 1280},${o.height ?? 900}`, 'about:blank'];
  // Its own process group: closing kills the renderers and helpers too, which otherwise go on
  // writing into the profile for a moment after the browser process is gone (CI: ENOTEMPTY).
  const proc: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const cleanup = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((res) => proc.once('exit', res));
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
      await gone;
    }
    // A helper that outlived the group kill by a moment may still add a file: retry the removal.
    await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  };
  try {
    let port = 0;
    await pollUntil(() => {
      if (proc.exitCode !== null) throw new Error(`chromium exited: ${stderr.slice(-1000)}`);
      port = Number(/DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)?.[1] ?? 0);
      return port > 0;
    }, { timeoutMs: 30_000, message: 'chromium to listen' });
    let pageUrl = '';
    await pollUntil(async () => {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
      pageUrl = list.find((t) => t.type === 'page')?.webSocketDebuggerUrl ?? '';
      return pageUrl !== '';
    }, { timeoutMs: 10_000, message: 'the blank page' });
    const ws = new WebSocket(pageUrl);
    await new Promise<void>((resolve, reject) => { ws.onopen = () => resolve(); ws.onerror = () => reject(new Error('DevTools connection failed')); });
    let nextId = 1;
    const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
    const waiters: { method: string; resolve: () => void }[] = [];
    const errors: string[] = [];
    ws.onmessage = (ev: { data: unknown }) => {
      const msg = JSON.parse(String(ev.data)) as CdpMessage;
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result ?? {});
        return;
      }
      if (msg.method === 'Runtime.consoleAPICalled' && msg.params?.['type'] === 'error') {
        errors.push(`console.error: ${JSON.stringify(msg.params['args'])}`);
      } else if (msg.method === 'Runtime.exceptionThrown') {
        errors.push(`exception: ${JSON.stringify(msg.params?.['exceptionDetails'])}`);
      } else if (msg.method === 'Log.entryAdded') {
        const entry = msg.params?.['entry'] as { level?: string; text?: string; url?: string } | undefined;
        if (entry?.level === 'error') errors.push(`log: ${entry.text ?? ''} ${entry.url ?? ''}`);
      }
      for (const w of waiters.filter((x) => x.method === msg.method)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    };
    const send = (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
    await Promise.all([send('Page.enable'), send('Runtime.enable'), send('Log.enable')]);
    return {
      errors,
      goto: async (url) => {
        const loaded = new Promise<void>((resolve) => waiters.push({ method: 'Page.loadEventFired', resolve }));
        await send('Page.navigate', { url });
        await loaded;
      },
      evaluate: async <T>(expression: string): Promise<T> => {
        const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
        if (r['exceptionDetails']) throw new Error(`evaluate failed: ${JSON.stringify(r['exceptionDetails'])}`);
        return (r['result'] as { value: T }).value;
      },
      screenshot: async () => Buffer.from(String((await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }))['data']), 'base64'),
      close: async () => {
        ws.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
