/** The model card: hyper-parameters, training facts and test metrics vs baselines, as HTML tables. */
import { escapeHtml, fixed, int, NOT_AVAILABLE } from './format.js';
import type { ModelRow, ModelSummary } from './model-metrics.js';

/** The served rows of a model trained before the plan was recorded: their names say MF. */
const MF_PATTERN = /\bMF\b/;

function cell(value: string, header = false): string {
  const tag = header ? 'th scope="row"' : 'td';
  return `<${tag}>${escapeHtml(value)}</${header ? 'th' : 'td'}>`;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return NOT_AVAILABLE;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function keyValueTable(caption: string, rows: [string, string][]): string {
  const body = rows.map(([k, v]) => `<tr>${cell(k, true)}${cell(v)}</tr>`).join('');
  return `<div class="scroll"><table class="kv"><caption>${escapeHtml(caption)}</caption><tbody>${body}</tbody></table></div>`;
}

/** Index of the best (lowest error or highest ranking score) row of a metric, for bolding. */
function best(rows: readonly ModelRow[], key: keyof ModelRow, lowerIsBetter: boolean): number {
  let at = -1;
  rows.forEach((row, i) => {
    const v = row[key] as number | null;
    if (v === null) return;
    const current = at < 0 ? null : (rows[at][key] as number);
    if (current === null || (lowerIsBetter ? v < current : v > current)) at = i;
  });
  return at;
}

/** `servedRows`: the rows of the served models (highlighted; default: the rows whose name says MF). */
export function metricsTableHtml(rows: readonly ModelRow[], k: number | null, servedRows?: readonly string[]): string {
  const K = k ?? 'K';
  const columns: { key: keyof ModelRow; label: string; lower: boolean }[] = [
    { key: 'rmse', label: 'RMSE', lower: true },
    { key: 'mae', label: 'MAE', lower: true },
    { key: 'precisionAtK', label: `Precision@${K}`, lower: false },
    { key: 'recallAtK', label: `Recall@${K}`, lower: false },
    { key: 'ndcgAtK', label: `NDCG@${K}`, lower: false },
    { key: 'coverage', label: 'Coverage', lower: false },
  ];
  const shown = columns.filter((c) => c.key !== 'coverage' || rows.some((r) => r.coverage !== null));
  const winners = new Map(shown.map((c) => [c.key, best(rows, c.key, c.lower)]));
  const head = `<tr><th scope="col">Model</th>${shown.map((c) => `<th scope="col">${escapeHtml(c.label)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row, i) => {
      const cells = shown.map((c) => {
        const v = row[c.key] as number | null;
        const text = v === null ? '–' : fixed(v, 4);
        return winners.get(c.key) === i ? `<td><strong>${text}</strong></td>` : `<td>${text}</td>`;
      });
      const served = servedRows ? servedRows.includes(row.model) : MF_PATTERN.test(row.model);
      const cls = served ? ' class="served"' : '';
      return `<tr${cls}>${cell(row.model, true)}${cells.join('')}</tr>`;
    })
    .join('');
  const caption = `Test metrics: the served model (highlighted) vs the baselines; best value per column in bold; – = does not apply (e.g. a popularity list predicts no rating).`;
  return rows.length
    ? `<div class="scroll" tabindex="0" role="region" aria-label="Test metrics table"><table class="metrics"><caption>${escapeHtml(caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`
    : `<p class="na">Test metrics: ${NOT_AVAILABLE} (metrics.json has no model rows).</p>`;
}

export function modelCardHtml(model: ModelSummary): string {
  const splits = Object.entries(model.splits)
    .map(([name, n]) => `${name} ${int(n)}`)
    .join(', ');
  const trainedOn =
    model.trainedOn === 'all'
      ? 'all ratings (refit after evaluation: the test metrics come from the model fit on the training part)'
      : model.trainedOn === 'fit'
        ? 'the fit part (the model the test metrics come from; no refit above refitMaxRatings ratings)'
        : (model.trainedOn ?? NOT_AVAILABLE);
  const ru = model.rankingUsers;
  const rankingUsers = !ru
    ? NOT_AVAILABLE
    : ru.evaluated < ru.of
      ? `a seeded sample of ${int(ru.evaluated)} of ${int(ru.of)} test users`
      : `all ${int(ru.of)} test users`;
  const facts: [string, string][] = [
    ['Model version', model.version ?? NOT_AVAILABLE],
    ['Trained at', model.createdAt ?? NOT_AVAILABLE],
    ['TensorFlow.js backend', model.backend ?? NOT_AVAILABLE],
    [
      'Training time',
      model.trainingSeconds === null ? NOT_AVAILABLE : `${model.trainingSeconds.toFixed(1)} s (split, epoch selection, evaluation, refit)`,
    ],
    ['Epochs', model.epochsRun === null ? NOT_AVAILABLE : `${model.epochsRun} run, best ${model.bestEpoch ?? NOT_AVAILABLE}`],
    ['Served model trained on', trainedOn],
    ['Ranking metrics computed on', rankingUsers],
    ['Ratings per split', splits || NOT_AVAILABLE],
  ];
  const hyper = Object.entries(model.hyperParameters).map(([k, v]) => [k, valueText(v)] as [string, string]);
  return [
    metricsTableHtml(model.models, model.k, model.plan?.servedRows),
    '<div class="tables">',
    ...(model.plan ? [keyValueTable('Training plan', model.plan.facts)] : []),
    keyValueTable('Training', facts),
    hyper.length ? keyValueTable('Hyper-parameters', hyper) : `<p class="na">Hyper-parameters: ${NOT_AVAILABLE}.</p>`,
    '</div>',
  ].join('\n');
}
