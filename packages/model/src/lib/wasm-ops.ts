/**
 * The few WebAssembly instructions the hand-written kernels use, as byte builders, so a kernel reads
 * as a list of named instructions instead of raw opcodes (binary format of the WebAssembly 2.0 spec,
 * fixed-width SIMD included).
 */

export function leb128(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
function sleb128(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const simd = (opcode: number) => [0xfd, ...leb128(opcode)];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export const op = {
  block: [0x02, 0x40],
  if: [0x04, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, local],
  set: (local: number) => [0x21, local],
  tee: (local: number) => [0x22, local],
  i32Const: (value: number) => [0x41, ...sleb128(value)],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32LtU: [0x49],
  i32Store: (offset = 0) => [0x36, 0x02, ...leb128(offset)],
  f32Ge: [0x60],
  f32Sub: [0x93],
  f32Load: (offset = 0) => [0x2a, 0x02, ...leb128(offset)],
  f32Store: (offset = 0) => [0x38, 0x02, ...leb128(offset)],
  f32Add: [0x92],
  f32Mul: [0x94],
  f32ConvertI32S: [0xb2],
  v128Load: (offset = 0) => [...simd(0x00), 0x00, ...leb128(offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  i32x4ExtractLane: (lane: number) => [...simd(0x1b), lane],
  i16x8ExtendLowI8x16S: simd(0x87),
  i16x8ExtendHighI8x16S: simd(0x88),
  i32x4Add: simd(0xae),
  i32x4DotI16x8S: simd(0xba),
};

/**
 * A module importing memory `env.mem` and exporting one function `name` with the given parameter
 * and result types, locals (one type per local) and body (without the final `end`).
 */
export function wasmModule(name: string, params: number[], results: number[], locals: number[], body: number[]): Uint8Array<ArrayBuffer> {
  const section = (id: number, bytes: number[]) => [id, ...leb128(bytes.length), ...bytes];
  const utf8 = (text: string) => [...leb128(text.length), ...Buffer.from(text, 'utf8')];
  const groups: number[] = [];
  for (let at = 0; at < locals.length;) {
    let run = 1;
    while (locals[at + run] === locals[at]) run++;
    groups.push(...leb128(run), locals[at]);
    at += run;
  }
  const code = [...leb128(groups.length / 2), ...groups, ...body, ...op.end];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, ...leb128(params.length), ...params, ...leb128(results.length), ...results]),
    ...section(2, [1, ...utf8('env'), ...utf8('mem'), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...utf8(name), 0x00, 0]),
    ...section(10, [1, ...leb128(code.length), ...code]),
  ]);
}
