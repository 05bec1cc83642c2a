import type { Source, SourceHandler, SourceLag } from '../source.js';

/**
 * A source that acknowledges only while the lease is held: a replica that lost it (or was paused
 * past it) never tells the server to release log that the new holder may still need. Everything
 * else passes through unchanged.
 */
export class FencedSource implements Source {
  readonly #inner: Source;
  readonly #held: () => boolean;

  /** `held`: whether the lease is held now (the keeper stops the runner when it is lost). */
  constructor(inner: Source, held: () => boolean) {
    this.#inner = inner;
    this.#held = held;
  }

  get kind(): string { return this.#inner.kind; }
  prepare(): Promise<void> { return this.#inner.prepare(); }
  currentPosition(): Promise<string> { return this.#inner.currentPosition(); }
  start(from: string | null, handler: SourceHandler, onError: (err: Error) => void): Promise<void> { return this.#inner.start(from, handler, onError); }
  /** Without the lease, nothing is acknowledged (the runner is being stopped meanwhile). */
  acknowledge(position: string): Promise<void> {
    return this.#held() ? this.#inner.acknowledge(position) : Promise.resolve();
  }
  comparePositions(a: string, b: string): number { return this.#inner.comparePositions(a, b); }
  lag(): Promise<SourceLag> { return this.#inner.lag(); }
  stop(): Promise<void> { return this.#inner.stop(); }
}
