import * as vega from 'vega';

/**
 * Without node-canvas, vega guesses a text's width as 0.8 em per character, which is about 40% too
 * wide: long axis titles then push the layout apart. Vega lets a caller supply `textMetrics.width`
 * (vl-convert does the same); this one uses the advance widths of DejaVu Sans (the page's first
 * font; Verdana, its fallback, is as wide), in em.
 */
const WIDTHS: Record<string, number> = {
  ' ': 0.318,
  '.': 0.318,
  ',': 0.318,
  ':': 0.337,
  ';': 0.337,
  '-': 0.361,
  '(': 0.39,
  ')': 0.39,
  '%': 0.95,
  '/': 0.337,
  '+': 0.838,
  '×': 0.838,
  '~': 0.838,
  "'": 0.275,
  '@': 1.0,
  '&': 0.78,
  '–': 0.5,
  a: 0.613,
  b: 0.635,
  c: 0.55,
  d: 0.635,
  e: 0.615,
  f: 0.352,
  g: 0.635,
  h: 0.634,
  i: 0.278,
  j: 0.278,
  k: 0.579,
  l: 0.278,
  m: 0.974,
  n: 0.634,
  o: 0.612,
  p: 0.635,
  q: 0.635,
  r: 0.411,
  s: 0.521,
  t: 0.392,
  u: 0.634,
  v: 0.592,
  w: 0.818,
  x: 0.592,
  y: 0.592,
  z: 0.525,
  A: 0.684,
  B: 0.686,
  C: 0.698,
  D: 0.77,
  E: 0.632,
  F: 0.575,
  G: 0.775,
  H: 0.752,
  I: 0.295,
  J: 0.295,
  K: 0.656,
  L: 0.557,
  M: 0.863,
  N: 0.748,
  O: 0.787,
  P: 0.603,
  Q: 0.787,
  R: 0.695,
  S: 0.635,
  T: 0.611,
  U: 0.732,
  V: 0.684,
  W: 0.989,
  X: 0.685,
  Y: 0.611,
  Z: 0.685,
};
const DIGIT = 0.636;
const OTHER = 0.65;

export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += WIDTHS[ch] ?? (ch >= '0' && ch <= '9' ? DIGIT : OTHER);
  return em * fontSize * (bold ? 1.08 : 1);
}

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
}

let installed = false;

/** Replaces vega's default text-width guess (once per process). */
export function installTextMetrics(): void {
  if (installed) return;
  installed = true;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const value = text ?? item.text;
    const string = Array.isArray(value) ? value.join(' ') : value === null || value === undefined ? '' : String(value);
    const weight = item.fontWeight;
    return estimateTextWidth(string, item.fontSize ?? 11, weight === 'bold' || (typeof weight === 'number' && weight >= 600));
  };
}
