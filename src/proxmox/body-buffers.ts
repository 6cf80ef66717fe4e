/** BodyBuffersOptions configures BodyBuffers. */
export interface BodyBuffersOptions {
  /**
   * How many idle buffers are kept for reuse. Only `/cluster/resources` answers are read here,
   * and each cluster polls on its own phase (pollPhaseMs), so in steady state two bodies rarely
   * arrive at once: the buffers a burst needed beyond these (every cluster polled at once when
   * the server starts) are released rather than held — at a ~300 KB answer each, a held buffer
   * would be ~300 KB resident for good. @default 2
   */
  keep?: number;
  /** A buffer grown beyond this many bytes is not kept once released. @default 16 MiB */
  maxKeptBytes?: number;
  /** The size of a new buffer when the body's length is unknown. @default 64 KiB */
  initialBytes?: number;
}

/**
 * BodyLease is a whole response body read into a lent buffer: `bytes` is valid until
 * `release()`, after which the buffer is read into again. Release exactly once.
 */
export interface BodyLease {
  bytes: Uint8Array;
  release(): void;
}

/**
 * BodyBuffers reads whole response bodies into a few reused buffers, for bodies that are consumed
 * at once (scanned into strings and numbers) and never kept: the 300 KB answer of a 1,000-guest
 * `/cluster/resources` costs no new allocation per poll, and the network chunks it arrives in die
 * as soon as they are copied. A fresh allocation per body (`body.bytes()`) is, at a hundred
 * clusters, megabytes per second of short-lived native memory: glibc serves most of it from its
 * main heap, and what a burst grew there stays resident after it is freed (a 50-cluster server
 * held 87 MB free in 123 MB of heap). Buffers are lent one body at a time; when all kept buffers
 * are lent (many bodies arriving at once), a new one is made and kept on release while fewer
 * than `keep` are idle.
 */
export class BodyBuffers {
  readonly #idle: Buffer[] = [];
  readonly #keep: number;
  readonly #maxKeptBytes: number;
  readonly #initialBytes: number;

  constructor(options: BodyBuffersOptions = {}) {
    this.#keep = options.keep ?? 2;
    this.#maxKeptBytes = options.maxKeptBytes ?? 16 * 1024 * 1024;
    this.#initialBytes = options.initialBytes ?? 64 * 1024;
  }

  /** idleCount is how many buffers wait to be lent. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /**
   * read consumes `body` into a lent buffer. `sizeHint` (the Content-Length, when sent) sizes a
   * buffer that must grow; a body longer or shorter than it is still read whole. When reading
   * fails (a timeout, an abort, a reset), the buffer is returned and the error rethrown.
   */
  async read(body: AsyncIterable<Uint8Array>, sizeHint?: number): Promise<BodyLease> {
    let buffer = this.#idle.pop() ?? Buffer.allocUnsafeSlow(this.#sizeFor(sizeHint ?? 0));
    let length = 0;
    try {
      for await (const chunk of body) {
        const needed = length + chunk.byteLength;
        if (needed > buffer.byteLength) {
          const grown = Buffer.allocUnsafeSlow(this.#sizeFor(Math.max(needed, sizeHint ?? 0)));
          buffer.copy(grown, 0, 0, length);
          buffer = grown;
        }
        buffer.set(chunk, length);
        length = needed;
      }
    } catch (err) {
      this.#return(buffer);
      throw err;
    }
    let released = false;
    return {
      bytes: buffer.subarray(0, length),
      release: () => {
        if (released) return;
        released = true;
        this.#return(buffer);
      },
    };
  }

  #sizeFor(bytes: number): number {
    let size = this.#initialBytes;
    while (size < bytes) size *= 2;
    return size;
  }

  #return(buffer: Buffer): void {
    if (this.#idle.length < this.#keep && buffer.byteLength <= this.#maxKeptBytes) {
      this.#idle.push(buffer);
    }
  }
}

/** sharedBodyBuffers is the process's BodyBuffers, used by every PveTransport by default. */
export const sharedBodyBuffers = new BodyBuffers();
