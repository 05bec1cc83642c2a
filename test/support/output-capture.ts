/**
 * Captures everything written to process.stdout and process.stderr while `run` runs
 * (and keeps it off the terminal: tests print nothing). For "this never appears
 * anywhere" assertions.
 */
export async function captureOutput<T>(run: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
  }
  try {
    const result = await run();
    return { result, output: chunks.join('') };
  } finally {
    streams.forEach((s, i) => {
      s.write = originals[i]!;
    });
  }
}
