import type { Source, SourceHandler, SourceLag } from '../source.js';

/**
 * A source that acknowledges only while the lease is held: a replica that lost it (or was paused
 * past it) never tells the server to release log that the new holder may still need. Everything
 * else passes through unchanged.
 */
export class FencedSource implements Source {
  readonly #inner: Source;
  readonly #assertHeld: () => void;

  constructor(inner: Source, assertHeld: () => void) {
    this.#inner = inner;
    this.#assertHeld = assertHeld;
  }

  get kind(): string { return this.#inner.kind; }
  prepare(): Promise<void> { return this.#inner.prepare(); }
  currentPosition(): Promise<string> { return this.#inner.currentPosition(); }
  start(from: string | null, handler: SourceHandler, onError: (err: Error) => void): Promise<void> { return this.#inner.start(from, handler, onError); }
  acknowledge(position: string): Promise<void> {
    this.#assertHeld();
    return this.#inner.acknowledge(position);
  }
  comparePositions(a: string, b: string): number { return this.#inner.comparePositions(a, b); }
  lag(): Promise<SourceLag> { return this.#inner.lag(); }
  stop(): Promise<void> { return this.#inner.stop(); }
}
