import { Writable } from 'node:stream';
import { CopyBinaryWriter } from './copy-binary.js';

/** Collects what the writer sends (as a pg-copy-streams `from` stream would receive it). */
function sink(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

type Field = Buffer | null;

/** PostgreSQL's binary COPY format, read back independently of the writer (docs: sql-copy, "Binary Format"). */
function decode(bytes: Buffer): Field[][] {
  expect(bytes.subarray(0, 11)).toEqual(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
  expect(bytes.readInt32BE(11)).toBe(0); // flags
  expect(bytes.readInt32BE(15)).toBe(0); // header extension
  const rows: Field[][] = [];
  let pos = 19;
  for (;;) {
    const fields = bytes.readInt16BE(pos);
    pos += 2;
    if (fields === -1) break;
    const row: Field[] = [];
    for (let f = 0; f < fields; f += 1) {
      const n = bytes.readInt32BE(pos);
      pos += 4;
      row.push(n === -1 ? null : bytes.subarray(pos, pos + n));
      if (n > 0) pos += n;
    }
    rows.push(row);
  }
  expect(pos).toBe(bytes.length); // nothing after the trailer
  return rows;
}

describe('CopyBinaryWriter (binary COPY encoding)', () => {
  it.each([1 << 20, 16])(
    'when rows of every column kind are written (chunks of %i bytes), then they decode to the same values',
    async (chunkBytes) => {
      const { stream, bytes } = sink();
      const w = new CopyBinaryWriter(stream, chunkBytes);
      const text = 'tab\there, back\\slash, new\nline, "quote", é, 🎬';
      const blob = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff)); // bigger than a 16-byte chunk
      w.row(6).int4(-7).int8(5_000_000_000).float4(3.5).text(text).bytea(blob).null();
      w.row(4).int4OrNull(null).int8(-86_400).textOrNull(null).int8(Number.MAX_SAFE_INTEGER);
      w.row(2).int4(2147483647).text('');
      await w.drain();
      expect(await w.end()).toBe(3);

      const [a, b, c] = decode(bytes());
      expect(a[0]?.readInt32BE(0)).toBe(-7);
      expect(a[1]?.readBigInt64BE(0)).toBe(5_000_000_000n);
      expect(a[2]?.readFloatBE(0)).toBe(3.5);
      expect(a[3]?.toString('utf8')).toBe(text);
      expect(a[4]).toEqual(blob);
      expect(a[5]).toBeNull();
      expect(b[0]).toBeNull();
      expect(b[1]?.readBigInt64BE(0)).toBe(-86_400n);
      expect(b[2]).toBeNull();
      expect(b[3]?.readBigInt64BE(0)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
      expect(c[0]?.readInt32BE(0)).toBe(2147483647);
      expect(c[1]).toEqual(Buffer.alloc(0)); // an empty text is not NULL
    },
  );

  it('when an id does not fit int4, then writing it throws instead of wrapping around', () => {
    const w = new CopyBinaryWriter(sink().stream);
    expect(() => w.row(1).int4(2147483648)).toThrow(/out of range/); // a RangeError (from another realm under jest)
  });
});
