import { loadConfig } from '@reelrank/config';
import { loadModelArtifacts, resolveLiveModel } from '@reelrank/model';
import { seededRandom } from '@reelrank/random';
import { openCatalog, Recommender, type RankingAgreement } from '@reelrank/serving';

export interface AgreementTarget {
  /** What the table calls it. */
  label: string;
  dataset: string;
  dataDir: string;
  modelsDir: string;
}

/** `count` distinct model user indices below `users`, drawn with a seeded generator (all of them when there are fewer). */
export function sampleUsers(users: number, count: number, seed: number): Int32Array {
  if (count >= users) return Int32Array.from({ length: users }, (_, u) => u);
  const rand = seededRandom(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(rand() * users));
  return Int32Array.from(picked);
}

/**
 * Loads the served model and catalogue of `target` as the API does (the registry's live version) and
 * compares its served top n with the exact 32-bit ranking for `count` seeded sampled users.
 */
export async function measureAgreement(
  target: AgreementTarget,
  count: number,
  n: number,
  seed: number,
): Promise<RankingAgreement & { label: string; loadSeconds: number }> {
  const started = performance.now();
  const config = loadConfig({
    env: { ...process.env, REELRANK_DATASET: target.dataset, REELRANK_DATA_DIR: target.dataDir, REELRANK_MODELS_DIR: target.modelsDir },
  });
  const catalog = await openCatalog(config);
  try {
    const bundle = loadModelArtifacts(resolveLiveModel(config.paths, config.storage.keepModelVersions).dir);
    const recommender = new Recommender(bundle, catalog, { maxRecommendations: config.serving.maxRecommendations, precomputeBudget: 0 });
    const loadSeconds = (performance.now() - started) / 1000;
    const users = sampleUsers(recommender.knownUsers, count, seed);
    return { label: target.label, loadSeconds, ...recommender.rankingAgreement(users, n) };
  } finally {
    catalog.close();
  }
}

export function printAgreementTable(rows: (RankingAgreement & { label: string })[]): void {
  const header = [
    'model',
    'users',
    'n',
    'identical top n',
    'recall@n',
    'cut by norm bound',
    'cut by int8 bounds',
    'scored in f32 per user',
    'served us/user',
    'exact us/user',
  ];
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const body = rows.map((r) => [
    r.label,
    String(r.users),
    String(r.n),
    pct(r.identical),
    r.recall.toFixed(4),
    pct(r.normBounded),
    pct(r.bounded),
    r.scoredPerUser.toFixed(0),
    r.servedMicros.toFixed(0),
    r.exactMicros.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const b of body) console.log(line(b));
}
