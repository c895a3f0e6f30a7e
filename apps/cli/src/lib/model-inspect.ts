import type { ModelVersionDetails, TrainingRunRecord } from '@reelrank/model';
import { formatTable } from './table.js';

/** The text of `reelrank models show|compare|history`: one version's details, two side by side, every run. */

type Details = ModelVersionDetails;
const f4 = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(4) : '');
const setting = (d: Details, key: string) => {
  const value = d.run?.settings[key];
  return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
};
const steps = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`)
    .join(', ');

export function showText(d: Details): string {
  const k = d.gate?.k ?? d.metrics.k ?? 10;
  const lines = [
    `${d.version} (${d.status}): ${d.dataset}, trained ${d.created_at}, data hash ${d.data_hash.slice(0, 12)}`,
    `  test RMSE ${f4(d.metrics.test_rmse)}, NDCG@${d.metrics.k ?? k} ${f4(d.metrics.ndcg_at_k)}`,
  ];
  if (d.gate) {
    const g = d.gate;
    lines.push(`  gate: ${g.decision}: ${g.reason}`);
    lines.push(
      `  gate holdout: share ${g.holdout.share}, seed ${g.holdout.seed}, ${g.holdout.ratings} ratings; epsilons RMSE ${g.epsilon.rmse}, NDCG ${g.epsilon.ndcg}`,
    );
    const rows = [['candidate (this version)', f4(g.candidate.rmse), f4(g.candidate.ndcg_at_k), g.candidate.rows, g.candidate.users]];
    if (g.live) rows.push([`live then (${g.live.version})`, f4(g.live.rmse), f4(g.live.ndcg_at_k), g.live.rows, g.live.users]);
    lines.push(
      ...formatTable(['scored at gate time', 'RMSE', `NDCG@${g.k}`, 'rows', 'users'], rows)
        .split('\n')
        .map((l) => `    ${l}`),
    );
  } else lines.push('  gate: none recorded (trained before the gate)');
  if (d.run) {
    const r = d.run;
    lines.push(`  run ${r.run_id}: ${r.outcome}, ${r.started_at} .. ${r.finished_at}; live ${r.live_before ?? 'none'} -> ${r.live_after ?? 'none'}`);
    lines.push(`  seed ${r.seed}; posted ratings ${r.posted_ratings}; data hash ${r.data_hash ?? ''}`);
    lines.push(`  steps: ${steps(r.steps_seconds)}`);
    const keys = ['ratingModel', 'factors', 'maxEpochs', 'learningRate', 'regularization', 'testFraction', 'rankingK'];
    lines.push(`  settings: ${keys.map((key) => `${key} ${setting(d, key)}`).join(', ')} (all: --json)`);
  } else lines.push('  run: not in the history');
  return lines.join('\n');
}

export function compareText(a: Details, b: Details): string {
  const k = a.gate?.k ?? b.gate?.k ?? a.metrics.k ?? 10;
  const row = (name: string, of: (d: Details) => string | number | null | undefined) => [name, of(a) ?? '', of(b) ?? ''];
  const rows = [
    row('status', (d) => d.status),
    row('created', (d) => d.created_at),
    row('data hash', (d) => d.data_hash.slice(0, 12)),
    row('posted ratings', (d) => d.run?.posted_ratings),
    row('test RMSE', (d) => f4(d.metrics.test_rmse)),
    row(`test NDCG@${a.metrics.k ?? k}`, (d) => f4(d.metrics.ndcg_at_k)),
    row('gate decision', (d) => d.gate?.decision),
    row('gate holdout RMSE', (d) => f4(d.gate?.candidate.rmse)),
    row(`gate holdout NDCG@${k}`, (d) => f4(d.gate?.candidate.ndcg_at_k)),
    row('gate compared with', (d) => d.gate?.live?.version ?? (d.gate ? 'none' : '')),
    row('  its holdout RMSE', (d) => f4(d.gate?.live?.rmse)),
    row(`  its holdout NDCG@${k}`, (d) => f4(d.gate?.live?.ndcg_at_k)),
    row('seed', (d) => d.run?.seed),
    ...['ratingModel', 'factors', 'maxEpochs', 'learningRate', 'regularization'].map((key) => row(key, (d) => setting(d, key))),
    row('train seconds', (d) => (d.run?.steps_seconds.total === undefined ? '' : d.run.steps_seconds.total.toFixed(2))),
  ];
  const lines = [
    formatTable(
      ['', a.version, b.version],
      rows.map((r) => r.map(String)),
    ),
  ];
  for (const [x, y] of [
    [a, b],
    [b, a],
  ])
    if (x.gate?.live?.version === y.version)
      lines.push(`${x.version}'s gate scored both on the same holdout ratings: ${x.gate.decision}: ${x.gate.reason}`);
  for (const d of [a, b]) if (d.gate?.decision === 'rejected') lines.push(`${d.version} was rejected: ${d.gate.reason}`);
  return lines.join('\n');
}

export function historyText(dataset: string, runs: TrainingRunRecord[], where: string): string {
  if (!runs.length) return `${dataset}: no training runs recorded in ${where}`;
  const rows = [...runs]
    .reverse()
    .map((r) => [
      r.finishedAt,
      r.outcome,
      r.version ?? '',
      r.liveAfter ?? '',
      f4(r.gate?.candidate.rmse),
      f4(r.gate?.live?.rmse),
      f4(r.gate?.candidate.ndcgAtK),
      f4(r.gate?.live?.ndcgAtK),
      r.postedRatings,
      r.steps.total === undefined ? '' : r.steps.total.toFixed(1),
      r.error ?? (r.outcome === 'rejected' ? (r.gate?.reason ?? '') : ''),
    ]);
  const k = runs.find((r) => r.gate)?.gate?.k ?? 10;
  return `${dataset}: ${runs.length} training run(s) in ${where}, newest first\n${formatTable(
    [
      'finished',
      'outcome',
      'version',
      'live after',
      'gate RMSE',
      'live RMSE',
      `gate NDCG@${k}`,
      `live NDCG@${k}`,
      'posted',
      'seconds',
      'error / reason',
    ],
    rows,
  )}`;
}
