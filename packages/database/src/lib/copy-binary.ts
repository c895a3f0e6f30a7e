import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** PostgreSQL's binary COPY signature, then flags (0) and header-extension length (0). */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const TWO_32 = 4294967296;

/**
 * Encodes rows in PostgreSQL's binary COPY format (`COPY t FROM STDIN (FORMAT binary)`) into a
 * pg-copy-streams `from` stream: per row an int16 field count, then per field an int32 byte length
 * (-1 for NULL) and the value in network byte order. Binary rather than text: numbers are written
 * as bytes (no number-to-string), bytea goes as raw bytes (text would need `\x` hex, twice the
 * size), and text needs no escaping of tabs, backslashes or newlines.
 *
 * Fields are written synchronously into a chunk buffer; a full chunk goes to the stream. Callers of
 * big loops await `drain()` now and then (it resolves at once unless the stream is over its
 * high-water mark), so memory stays bounded at any file size.
 */
export class CopyBinaryWriter {
  private buf: Buffer;
  private pos = 0;
  /** Rows written. */
  rows = 0;

  constructor(
    private readonly stream: Writable,
    private readonly chunkBytes = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(chunkBytes, HEADER.length));
    HEADER.copy(this.buf, 0);
    this.pos = HEADER.length;
  }

  row(fields: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(fields, this.pos);
    this.pos += 2;
    this.rows += 1;
    return this;
  }

  int4(value: number): this {
    this.ensure(8);
    this.buf.writeInt32BE(4, this.pos);
    this.buf.writeInt32BE(value, this.pos + 4);
    this.pos += 8;
    return this;
  }

  int4OrNull(value: number | null): this {
    return value === null ? this.null() : this.int4(value);
  }

  /** A safe integer as int8 (high and low 32-bit halves: no BigInt per value). */
  int8(value: number): this {
    this.ensure(12);
    const high = Math.floor(value / TWO_32);
    this.buf.writeInt32BE(8, this.pos);
    this.buf.writeInt32BE(high, this.pos + 4);
    this.buf.writeUInt32BE(value - high * TWO_32, this.pos + 8);
    this.pos += 12;
    return this;
  }

  float4(value: number): this {
    this.ensure(8);
    this.buf.writeInt32BE(4, this.pos);
    this.buf.writeFloatBE(value, this.pos + 4);
    this.pos += 8;
    return this;
  }

  text(value: string): this {
    const n = Buffer.byteLength(value, 'utf8');
    this.ensure(4 + n);
    this.buf.writeInt32BE(n, this.pos);
    this.buf.write(value, this.pos + 4, n, 'utf8');
    this.pos += 4 + n;
    return this;
  }

  textOrNull(value: string | null): this {
    return value === null ? this.null() : this.text(value);
  }

  bytea(value: Uint8Array): this {
    this.ensure(4 + value.length);
    this.buf.writeInt32BE(value.length, this.pos);
    this.buf.set(value, this.pos + 4);
    this.pos += 4 + value.length;
    return this;
  }

  null(): this {
    this.ensure(4);
    this.buf.writeInt32BE(-1, this.pos);
    this.pos += 4;
    return this;
  }

  /** Resolves once the stream can take more (at once when it can); rejects when the COPY failed. */
  async drain(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  /** Writes the trailer, ends the COPY and resolves when the server has accepted it (rejects with its error). */
  async end(): Promise<number> {
    this.ensure(2);
    this.buf.writeInt16BE(-1, this.pos);
    this.pos += 2;
    this.flush();
    this.stream.end();
    await finished(this.stream);
    return this.rows;
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(bytes, this.chunkBytes));
  }

  /** Hands the filled part to the stream (which keeps it) and starts a fresh chunk. */
  private flush(): void {
    if (this.pos === 0) return;
    this.stream.write(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, this.buf.length));
    this.pos = 0;
  }
}
