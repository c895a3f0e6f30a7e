import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelEvaluation } from '@reelrank/trainer';
import type { ActivityBucket } from './cold-start.js';
import { NOT_AVAILABLE } from './format.js';

/**
 * A defensive reader of models/<dataset>/metrics.json and model.json: the trainer owns their
 * format, so every field is optional here and a missing one shows as "not available".
 */

/** One row of the trainer's evaluation table, as metrics.json holds it (timings left out). */
export type ModelRow = Omit<ModelEvaluation, 'fitSeconds' | 'evalSeconds'>;

export interface EpochPoint {
  epoch: number;
  trainRmse: number | null;
  validationRmse: number | null;
}

export interface ModelSummary {
  version: string | null;
  createdAt: string | null;
  backend: string | null;
  k: number | null;
  hyperParameters: Record<string, unknown>;
  /** 'all' when the served model was refit on every rating (test rows included), 'train' otherwise. */
  trainedOn: string | null;
  trainingSeconds: number | null;
  epochsRun: number | null;
  bestEpoch: number | null;
  splits: Record<string, number>;
  models: ModelRow[];
  history: EpochPoint[];
  /** Per-activity breakdown of the evaluated model's test error, when the trainer wrote one. */
  byUserActivity: ActivityBucket[] | null;
  /** Test users the ranking metrics were computed on, of how many (a seeded sample on large sets). */
  rankingUsers: { evaluated: number; of: number } | null;
  /** The trainer's plan (metrics.json `plan`), when it wrote one. */
  plan: PlanSummary | null;
  /** The diversity sweep of the served ranker on the test users (metrics.json `ranking.diversity`), when the trainer wrote one. */
  diversity: DiversityRow[] | null;
}

/** One diversity setting on the test protocol: its NDCG@K, intra-list diversity, catalogue coverage and novelty. */
export interface DiversityRow {
  diversity: number;
  ndcg: number;
  intraListDiversity: number;
  coverage: number;
  novelty: number;
}

function diversityRows(value: unknown): DiversityRow[] | null {
  if (!Array.isArray(value)) return null;
  const rows = value.filter(isObject).flatMap((p) => {
    const row = {
      diversity: num(p.diversity),
      ndcg: num(p.ndcg),
      intraListDiversity: num(p.intraListDiversity),
      coverage: num(p.coverage),
      novelty: num(p.novelty),
    };
    return Object.values(row).every((v) => v !== null) ? [row as DiversityRow] : [];
  });
  return rows.length ? rows : null;
}

/** What the trainer decided before fitting: the served rows of the table and the decisions as label/value pairs. */
export interface PlanSummary {
  servedRows: string[];
  facts: [string, string][];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const obj = (v: unknown): Json => (isObject(v) ? v : {});

function readJson(path: string): Json | null {
  if (!existsSync(path)) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function modelRows(metrics: Json, manifest: Json): ModelRow[] {
  if (Array.isArray(metrics.models)) {
    return metrics.models.filter(isObject).map((m) => ({
      model: str(m.model) ?? '(unnamed)',
      rmse: num(m.rmse),
      mae: num(m.mae),
      precisionAtK: num(m.precisionAtK),
      recallAtK: num(m.recallAtK),
      ndcgAtK: num(m.ndcgAtK),
      coverage: num(m.coverage),
    }));
  }
  // Fall back to the headline figures of model.json: { name: { rmse, mae, precisionAt10, ndcgAt10 } }.
  const headline = obj(obj(manifest.metrics).models);
  const k = num(obj(manifest.metrics).k);
  return Object.entries(headline).map(([model, v]) => {
    const m = obj(v);
    return {
      model,
      rmse: num(m.rmse),
      mae: num(m.mae),
      precisionAtK: num(m[`precisionAt${k}`]),
      recallAtK: num(m[`recallAt${k}`]),
      ndcgAtK: num(m[`ndcgAt${k}`]),
      coverage: null,
    };
  });
}

function activityBuckets(value: unknown): ActivityBucket[] | null {
  if (!Array.isArray(value)) return null;
  const buckets = value.filter(isObject).flatMap((b) => {
    const lower = num(b.lower);
    const rmse = num(b.rmse);
    if (lower === null || rmse === null) return [];
    const upper = num(b.upper);
    return [
      {
        label: str(b.label) ?? (upper === null ? `${lower}+` : `${lower}-${upper}`),
        lower,
        upper,
        users: num(b.users) ?? 0,
        rows: num(b.rows) ?? 0,
        rmse,
        mae: num(b.mae) ?? NaN,
      },
    ];
  });
  return buckets.length ? buckets : null;
}

function rankingUsers(test: Json): ModelSummary['rankingUsers'] {
  const of = num(test.rankingUsers);
  if (of === null) return null;
  return { evaluated: num(test.rankingUsersEvaluated) ?? of, of };
}

function planSummary(value: unknown): PlanSummary | null {
  if (!isObject(value)) return null;
  const rating = obj(value.rating);
  const ranking = isObject(value.ranking) ? value.ranking : null;
  const served = obj(value.served);
  const testFittedOn = str(obj(value.evaluation).testModelFittedOn);
  const joined = (...parts: Array<string | null>) => parts.filter((p) => p !== null).join('; ') || NOT_AVAILABLE;
  const rankingText = () => {
    if (!ranking) return 'none';
    const implicit = obj(ranking.implicit);
    const ease = isObject(ranking.ease) ? ranking.ease : null;
    const tunedOn = str(obj(ranking.blend).tunedOn);
    const easeText = ease && (ease.fitted === true ? `EASE: ${str(ease.fit) ?? NOT_AVAILABLE}` : `no EASE (${str(ease.chosenBy) ?? NOT_AVAILABLE})`);
    return joined(
      str(ranking.label),
      str(implicit.label) && `${implicit.label}: ${str(implicit.fit) ?? NOT_AVAILABLE}`,
      easeText,
      tunedOn && `blend tuned on ${tunedOn}`,
    );
  };
  // The neighbourhood predictor blended into the served rating (absent in plans from before it existed).
  const neighbourhood = isObject(rating.neighbourhood) ? rating.neighbourhood : null;
  const blended = neighbourhood?.fitted === true && str(rating.label) && str(neighbourhood.label) ? `${rating.label} + ${neighbourhood.label}` : null;
  const blendText =
    neighbourhood &&
    (blended
      ? `blended with ${str(neighbourhood.label)}: ${str(neighbourhood.fit) ?? NOT_AVAILABLE}`
      : `no neighbourhood blend (${str(neighbourhood.chosenBy) ?? NOT_AVAILABLE})`);
  return {
    servedRows: [str(rating.label), blended, ranking ? str(ranking.label) : null].filter((row): row is string => row !== null),
    facts: [
      ['Rating model', joined(str(rating.label), str(rating.chosenBy), str(rating.fit), blendText)],
      ['Ranking model', rankingText()],
      ['Test metrics from', testFittedOn ? `the models fitted on the ${testFittedOn} part` : NOT_AVAILABLE],
      ['Served model fitted on', joined(str(served.fittedOn), str(served.reason))],
    ],
  };
}

/** Reads model.json and metrics.json of `modelDir`; null when there is no model.json at all. */
export function readModelSummary(modelDir: string): ModelSummary | null {
  const manifest = readJson(join(modelDir, 'model.json'));
  if (!manifest) return null;
  const metrics = readJson(join(modelDir, 'metrics.json')) ?? {};
  const training = { ...obj(metrics.training), ...obj(manifest.training) };
  const selection = obj(metrics.selection);
  const history = Array.isArray(selection.history) ? selection.history.filter(isObject) : [];
  const ratings = obj(training.ratings);
  const splits = Object.fromEntries(Object.entries(ratings).filter(([, v]) => num(v) !== null)) as Record<string, number>;
  return {
    version: str(manifest.version),
    createdAt: str(manifest.createdAt),
    backend: str(manifest.backend) ?? str(metrics.backend),
    k: num(metrics.k) ?? num(obj(manifest.metrics).k),
    hyperParameters: { ...obj(metrics.hyperParameters), ...obj(manifest.hyperParameters) },
    trainedOn: str(training.trainedOn),
    trainingSeconds: num(training.seconds),
    epochsRun: num(training.epochsRun) ?? num(selection.epochsRun),
    bestEpoch: num(training.bestEpoch) ?? num(selection.bestEpoch),
    splits,
    models: modelRows(metrics, manifest),
    history: history.flatMap((h) => {
      const epoch = num(h.epoch);
      return epoch === null ? [] : [{ epoch, trainRmse: num(h.trainRmse), validationRmse: num(h.validationRmse) }];
    }),
    byUserActivity: activityBuckets(metrics.byUserActivity ?? obj(metrics.test).byUserActivity),
    rankingUsers: rankingUsers(obj(metrics.test)),
    plan: planSummary(metrics.plan),
    diversity: diversityRows(obj(metrics.ranking).diversity),
  };
}
