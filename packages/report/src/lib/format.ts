/** Number formatting and HTML escaping shared by the takeaways, the model card and the page. */

export const NOT_AVAILABLE = 'not available';

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 0.1234 -> "12%"; shares under 10% keep one decimal ("1.7%"), tiny non-zero ones say "<0.1%". */
export function pct(share: number): string {
  const p = share * 100;
  if (p > 0 && p < 0.1) return '<0.1%';
  return `${p < 10 && p !== 0 && Math.abs(p - Math.round(p)) > 0.05 ? p.toFixed(1) : Math.round(p)}%`;
}

export function fixed(n: number | null | undefined, digits = 3): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NOT_AVAILABLE : n.toFixed(digits);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
