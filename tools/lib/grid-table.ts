/**
 * A tuning grid as a plain-text table under its title: numbers right-aligned, the last column (the
 * "best" / "committed" marks) left-aligned.
 */
export function gridTable(title: string, header: string[], lines: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c < header.length - 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  return [title, fmt(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.map(fmt)].join('\n');
}

/** The marks of a grid row: the best of the grid, the committed settings. */
export const rowMarks = (best: boolean, committed: boolean) => [best ? 'best' : '', committed ? 'committed' : ''].filter(Boolean).join(', ');
