/** Where the demo writes its story: stdout, or a test's buffer. */
export interface DemoOutput {
  /** Writes one line (a newline is added). */
  line(text?: string): void;
  /** True when the output is a terminal (a progress bar can redraw in place). */
  readonly isTTY: boolean;
  /** The stream itself, for the progress bar. */
  readonly stream: NodeJS.WritableStream;
}

/** A {@link DemoOutput} on a stream (process.stdout by default). */
export function streamOutput(stream: NodeJS.WritableStream = process.stdout): DemoOutput {
  return {
    line: (text = '') => void stream.write(`${text}\n`),
    isTTY: (stream as Partial<NodeJS.WriteStream>).isTTY === true,
    stream,
  };
}

/** 12,345 */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "230 ms" below 10 s, "12.3 s" above. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Milliseconds since `started` (a Date.now() value). */
export function since(started: number): number {
  return Date.now() - started;
}
