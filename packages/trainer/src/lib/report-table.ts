import type { ModelEvaluation } from './evaluate.js';

const fmt = (value: number | null, digits = 4) => (value === null || Number.isNaN(value) ? '' : value.toFixed(digits));

/** A Markdown table of the evaluated models: model, RMSE, MAE, P@K, R@K, NDCG@K, coverage, fit s. */
export function formatModelTable(models: ModelEvaluation[], k: number): string {
  const header = ['model', 'RMSE', 'MAE', `P@${k}`, `R@${k}`, `NDCG@${k}`, 'coverage', 'fit s'];
  const rows = models.map((m) => [
    m.model,
    fmt(m.rmse),
    fmt(m.mae),
    fmt(m.precisionAtK),
    fmt(m.recallAtK),
    fmt(m.ndcgAtK),
    fmt(m.coverage, 3),
    fmt(m.fitSeconds, 2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
