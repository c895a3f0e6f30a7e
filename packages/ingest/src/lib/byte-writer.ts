import type { Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

const DEFAULT_SIZE = 1 << 22;
/** Room kept free at the end of the buffer: callers append one row, then `flushIfFull()`. */
const HEADROOM = 1 << 16;

/**
 * Appends text and integers as bytes into one fixed buffer (4 MiB by default) and writes it to the
 * file when full, so writing 20M CSV rows allocates no per-row strings and memory stays bounded.
 * Usage: append a row (ASCII integers, short strings), then `if (w.full) await w.flush()`.
 */
export class ByteWriter {
  private readonly buffer: Buffer;
  private readonly limit: number;
  pos = 0;
  /** Bytes handed to the file so far (flushed ones). */
  written = 0;

  private constructor(
    private readonly handle: FileHandle,
    size: number,
    private readonly hash: Hash | null,
  ) {
    this.buffer = Buffer.allocUnsafe(size + HEADROOM);
    this.limit = size;
  }

  static async open(path: string, options: { size?: number; hash?: Hash } = {}): Promise<ByteWriter> {
    return new ByteWriter(await open(path, 'w'), options.size ?? DEFAULT_SIZE, options.hash ?? null);
  }

  /** True once the buffer holds `size` bytes: time to `await flush()`. */
  get full(): boolean {
    return this.pos >= this.limit;
  }

  byte(code: number): void {
    this.buffer[this.pos++] = code;
  }

  /** A non-negative integer below 2^53 in decimal. */
  uint(value: number): void {
    const buf = this.buffer;
    if (value <= 0x7fffffff) {
      // Int32 fast path: digit count by comparison, digits by |0 division (no floats).
      let v = value | 0;
      const digits =
        v < 10
          ? 1
          : v < 100
            ? 2
            : v < 1000
              ? 3
              : v < 10000
                ? 4
                : v < 100000
                  ? 5
                  : v < 1000000
                    ? 6
                    : v < 10000000
                      ? 7
                      : v < 100000000
                        ? 8
                        : v < 1000000000
                          ? 9
                          : 10;
      let p = this.pos + digits;
      this.pos = p;
      do {
        const q = (v / 10) | 0;
        buf[--p] = 48 + v - q * 10;
        v = q;
      } while (v !== 0);
      return;
    }
    const text = String(value);
    for (let i = 0; i < text.length; i += 1) buf[this.pos++] = text.charCodeAt(i);
  }

  /** Any integer in decimal. */
  int(value: number): void {
    if (value < 0) {
      this.byte(45);
      this.uint(-value);
    } else this.uint(value);
  }

  /** One ratings.csv row, `userId,movieId,rating,timestamp` and a newline; `rating` pre-encoded ("3.5"). */
  ratingRow(userId: number, movieId: number, rating: Uint8Array, timestamp: number): void {
    this.int(userId);
    this.byte(44);
    this.int(movieId);
    this.byte(44);
    this.bytes(rating);
    this.byte(44);
    this.int(timestamp);
    this.byte(10);
  }

  /** Raw bytes (e.g. a pre-encoded rating "3.5"). */
  bytes(data: Uint8Array): void {
    if (this.pos + data.length > this.buffer.length) throw new Error('ByteWriter: row larger than the buffer headroom');
    this.buffer.set(data, this.pos);
    this.pos += data.length;
  }

  /** A string as UTF-8 (one row's worth; flush between rows). */
  text(value: string): void {
    if (this.pos + 3 * value.length > this.buffer.length) throw new Error('ByteWriter: row larger than the buffer headroom');
    this.pos += this.buffer.write(value, this.pos, 'utf8');
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const chunk = this.buffer.subarray(0, this.pos);
    this.hash?.update(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
    this.written += chunk.length;
    this.pos = 0;
  }

  /** Flushes, optionally fsyncs, and closes the file. */
  async close(options: { sync?: boolean } = {}): Promise<void> {
    try {
      await this.flush();
      if (options.sync) await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes without flushing (after an error). */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}
