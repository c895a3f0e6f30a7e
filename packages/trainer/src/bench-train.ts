// Training-speed benchmark:
//   npx tsx packages/trainer/src/bench-train.ts [--ratings N] [--epochs E] [--factors K] [--threads T]
//     [--tf-ratings N] [--tf-epochs E] [--tf-batch B] [--no-tf] [--cache DIR] [--synthetic-dir DIR]
//     [--fixed-split DIR | --no-fixed] [--kernel wasm|js] [--json PATH (default reports/bench-train.json)]
// --synthetic-dir: an already generated synthetic folder of the same size to reuse instead of generating.
// --fixed-split: a folder with train.csv and test.csv (the fixed ml-latest-small 80/20 split); part 3
// is skipped, saying so, without it.
// --threads 1 runs the single-thread sgdEpoch path (the reference).
// 1. Generates (once; cached under <os tmpdir>/reelrank-bench, or --cache) the deterministic MovieLens-shaped
//    synthetic set (20,000,263 ratings, 138,493 users, 26,744 movies by default), splits off 10% per
//    user for validation, and trains biased MF with the fast kernel (trainMf, parallel WebAssembly
//    SIMD path): seconds per epoch, total train time, peak RSS, train / validation RMSE.
// 2. Times a pure TF.js gradient path (mini-batch Adam, tf.gather + a hand-written gradient applied
//    through tf.scatterND) on a 1M-rating subset of the same train set, next to the kernel on the
//    same subset, and extrapolates both to the full set (clearly labelled).
// 3. With --fixed-split, evaluates the same model (config/training.json hyper-parameters) on the fixed
//    ml-latest-small split with evaluateOnSplit (parallel kernel, then the single-thread kernel), next to the
//    popularity baseline measured in the same run.
// The three parts share the generated set and one report; the data loading lives in lib/bench-data.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@reelrank/config';
import { initTensorFlow, type MfModel, type Tf } from '@reelrank/model';
import { benchShape, loadBenchRatings } from './lib/bench-data.js';
import { evaluateOnSplit } from './lib/evaluate-split.js';
import { buildIndexing, indexRatings, type IndexedRatings } from './lib/indexing.js';
import { seededRandom, shuffleInPlace } from '@reelrank/random';
import { readRatingsCsv, selectRows } from './lib/ratings.js';
import { ratingMetrics } from './lib/rating-metrics.js';
import { formatModelTable } from './lib/report-table.js';
import { fitBaselineBiases, initModel } from './lib/sgd-kernel.js';
import { ParallelSgd } from './lib/sgd-parallel.js';
import { defaultThreadCount } from './lib/train-threads.js';
import { splitRows } from './lib/split.js';
import { RATING_MODEL_LABELS } from './lib/training-plan.js';
import { BASELINE_REG_ITEM, BASELINE_REG_USER, BASELINE_SWEEPS, meanOf, trainMf, type MfHyperParameters } from './lib/train-mf.js';

/** SGD settings of the synthetic-set run (no early stopping within the requested epochs). */
const BENCH_HYPER = { seed: 42, learningRate: 0.015, learningRateDecay: 1, regularization: 0.05, biasRegularization: 0.05, initStd: 0.05 } as const;

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
/** Peak resident set size of this process so far (bytes). */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

function int(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer (got "${text}")`);
  return value;
}

/** Pure TF.js biased-MF training: mini-batch Adam with a hand-derived gradient (no per-rating JS). */
async function tfEpochs(
  tf: Tf,
  model: MfModel,
  data: IndexedRatings,
  step: { learningRate: number; regularization: number },
  epochs: number,
  batch: number,
) {
  const nU = model.userIds.length;
  const nM = model.movieIds.length;
  const k = model.factors;
  const P = tf.variable(tf.tensor2d(model.userFactors, [nU, k]), true, 'P');
  const Q = tf.variable(tf.tensor2d(model.movieFactors, [nM, k]), true, 'Q');
  const bu = tf.variable(tf.tensor1d(model.userBias), true, 'bu');
  const bi = tf.variable(tf.tensor1d(model.movieBias), true, 'bi');
  const optimizer = tf.train.adam(step.learningRate / 5);
  const n = data.ratings.length;
  const seconds: number[] = [];
  const trainRmse: number[] = [];
  const order = Int32Array.from({ length: n }, (_, j) => j);
  const random = seededRandom(99);
  const reg = step.regularization;
  for (let e = 0; e < epochs; e++) {
    shuffleInPlace(order, random);
    const t0 = performance.now();
    let sse = 0;
    for (let start = 0; start < n; start += batch) {
      const rows = order.subarray(start, Math.min(n, start + batch));
      const b = rows.length;
      const ub = new Int32Array(b);
      const ib = new Int32Array(b);
      const rb = new Float32Array(b);
      for (let j = 0; j < b; j++) {
        ub[j] = data.users[rows[j]];
        ib[j] = data.movies[rows[j]];
        rb[j] = data.ratings[rows[j]];
      }
      const batchSse = tf.tidy(() => {
        const u = tf.tensor1d(ub, 'int32');
        const i = tf.tensor1d(ib, 'int32');
        const pu = tf.gather(P, u);
        const qi = tf.gather(Q, i);
        const pred = tf.sum(tf.mul(pu, qi), 1).add(tf.gather(bu, u)).add(tf.gather(bi, i)).add(model.globalMean);
        const err = tf.tensor1d(rb).sub(pred); // e = r - r̂
        // Gradient of mean squared error + λ/2 ||·||² over the batch, scattered (summed) into full tables.
        const scale = -2 / b;
        const e2 = err.expandDims(1);
        const gP = tf.scatterND(u.expandDims(1), tf.sub(tf.mul(e2, qi).mul(scale), pu.mul(reg * scale)), [nU, k]);
        const gQ = tf.scatterND(i.expandDims(1), tf.sub(tf.mul(e2, pu).mul(scale), qi.mul(reg * scale)), [nM, k]);
        const gbu = tf.scatterND(u.expandDims(1), err.mul(scale), [nU]);
        const gbi = tf.scatterND(i.expandDims(1), err.mul(scale), [nM]);
        optimizer.applyGradients([
          { name: 'P', tensor: gP },
          { name: 'Q', tensor: gQ },
          { name: 'bu', tensor: gbu },
          { name: 'bi', tensor: gbi },
        ]);
        return tf.sum(tf.square(err));
      });
      sse += (await batchSse.data())[0];
      batchSse.dispose();
    }
    seconds.push((performance.now() - t0) / 1000);
    trainRmse.push(Math.sqrt(sse / n));
  }
  model.userFactors.set(await P.data());
  model.movieFactors.set(await Q.data());
  model.userBias.set(await bu.data());
  model.movieBias.set(await bi.data());
  for (const v of [P, Q, bu, bi]) v.dispose();
  optimizer.dispose();
  return { seconds, trainRmse };
}

async function main(): Promise<void> {
  // Declarative: this tool's own flags for node:util parseArgs (alike other tools' tables by shape only).
  const { values } = parseArgs({
    options: {
      ratings: { type: 'string' },
      epochs: { type: 'string' },
      factors: { type: 'string' },
      threads: { type: 'string' },
      'tf-ratings': { type: 'string' },
      'tf-epochs': { type: 'string' },
      'tf-batch': { type: 'string' },
      'no-tf': { type: 'boolean' },
      'no-fixed': { type: 'boolean' },
      cache: { type: 'string' },
      'fixed-split': { type: 'string' },
      'synthetic-dir': { type: 'string' },
      kernel: { type: 'string' },
      json: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const ratings = int('ratings', values.ratings, 20_000_263);
  const epochs = int('epochs', values.epochs, 20);
  const factors = int('factors', values.factors, 64);
  const threads = int('threads', values.threads, defaultThreadCount());
  const tfRatings = int('tf-ratings', values['tf-ratings'], 1_000_000);
  const tfEpochCount = int('tf-epochs', values['tf-epochs'], 2);
  const tfBatch = int('tf-batch', values['tf-batch'], 100_000);
  // Pinned (not config/training.json, which is tuned for ml-latest-small and moves): a stable speed benchmark.
  const hyper: MfHyperParameters = { ...BENCH_HYPER, factors, maxEpochs: epochs, patience: epochs };
  const started = performance.now();

  const { tf, backend } = await initTensorFlow();
  const shape = benchShape(ratings);
  out(`# reelrank training benchmark`);
  out(
    `node ${process.version}, ${defaultThreadCount()} cores, TF.js backend: ${backend} (initTensorFlow; tfjs-node ${backend === 'tensorflow' ? 'loaded' : 'not available'})`,
  );
  out(`data: synthetic MovieLens-shaped, ${shape.ratings} ratings, ${shape.users} users, ${shape.movies} movies, seed 42`);
  out(
    `MF: k ${factors}, ${epochs} epochs, lr ${hyper.learningRate}, decay ${hyper.learningRateDecay}, reg ${hyper.regularization}, bias reg ${hyper.biasRegularization}, init std ${hyper.initStd}, threads ${threads}`,
  );

  // --- 1. the fast kernel at scale -----------------------------------------------------------
  const loaded = await loadBenchRatings({ ratings, cacheDir: values.cache, reuseDir: values['synthetic-dir'], log: err });
  const t0 = performance.now();
  const rows = splitRows(loaded.columns, { seed: 42, validationFraction: 0.1, testFraction: 0 });
  let train = selectRows(loaded.columns, rows.train);
  const validation = selectRows(loaded.columns, rows.validation);
  loaded.columns = null as never;
  const splitSeconds = (performance.now() - t0) / 1000;
  out(
    `loaded ${ratings} ratings in ${loaded.seconds.toFixed(2)} s (${loaded.source}); split ${train.ratings.length} train / ${validation.ratings.length} validation in ${splitSeconds.toFixed(2)} s`,
  );
  const kernel = values.kernel === 'js' ? 'js' : 'wasm';
  const result = trainMf(train, validation, hyper, { threads, parallelMinRatings: 0, kernel, log: err });
  const trainPeak = peakRss();
  const epochSeconds = result.history.map((h) => h.seconds);
  const sgdTotal = epochSeconds.reduce((s, x) => s + x, 0);
  out();
  out(`## ${ratings} ratings, k ${factors}: ${result.kernel} kernel, ${result.threads} threads`);
  out(`| epoch | s | train RMSE (running) | validation RMSE |`);
  out(`| --- | --- | --- | --- |`);
  for (const h of result.history) out(`| ${h.epoch} | ${h.seconds.toFixed(2)} | ${h.trainRmse.toFixed(4)} | ${h.validationRmse?.toFixed(4) ?? ''} |`);
  const last = result.history[result.history.length - 1];
  out();
  out(
    `seconds per epoch (SGD + validation RMSE): mean ${(sgdTotal / epochSeconds.length).toFixed(2)}, min ${Math.min(...epochSeconds).toFixed(2)}, max ${Math.max(...epochSeconds).toFixed(2)}`,
  );
  out(
    `total train time (trainMf: indexing, bias warm start, worker start, ${result.epochsRun} epochs, validation): ${result.seconds.toFixed(2)} s  [goal <= 90 s]`,
  );
  out(`peak RSS (whole process, incl. data load and split): ${gib(trainPeak)}  [goal <= ${gib(3e9)} = 3 GB]`);
  out(
    `final train RMSE (running, epoch ${last.epoch}): ${last.trainRmse.toFixed(4)}; validation RMSE: ${last.validationRmse?.toFixed(4)} (best ${result.bestValidationRmse?.toFixed(4)} at epoch ${result.bestEpoch})`,
  );
  const summary: Record<string, unknown> = {
    createdAt: new Date().toISOString(),
    node: process.version,
    cores: defaultThreadCount(),
    tfBackend: backend,
    data: { ...shape, seed: 42, train: rows.train.length, validation: rows.validation.length, source: loaded.source },
    hyperParameters: hyper,
    kernel: result.kernel,
    threads: result.threads,
    secondsPerEpoch: epochSeconds,
    meanSecondsPerEpoch: sgdTotal / epochSeconds.length,
    totalTrainSeconds: result.seconds,
    peakRssBytes: trainPeak,
    trainRmse: last.trainRmse,
    validationRmse: last.validationRmse,
  };

  // --- 2. kernel vs pure TF.js on the same 1M subset -----------------------------------------
  if (!values['no-tf']) {
    const subsetSize = Math.min(tfRatings, train.ratings.length);
    const pick = Int32Array.from({ length: train.ratings.length }, (_, j) => j);
    shuffleInPlace(pick, seededRandom(7));
    const subset = selectRows(train, pick.subarray(0, subsetSize).slice().sort());
    train = null as never;
    const indexing = buildIndexing(subset);
    const data = indexRatings(subset, indexing);
    const valData = indexRatings(validation, indexing);
    const fresh = () => {
      const model = initModel(indexing.users.ids, indexing.movies.ids, factors, meanOf(subset.ratings), hyper.initStd, seededRandom(3));
      fitBaselineBiases(model, data, BASELINE_SWEEPS, BASELINE_REG_ITEM, BASELINE_REG_USER);
      return model;
    };
    const step = { learningRate: hyper.learningRate, regularization: hyper.regularization, biasRegularization: hyper.biasRegularization };
    const kernelModel = fresh();
    const sgd = new ParallelSgd(kernelModel, data, { threads, seed: 1 });
    const kernelSeconds: number[] = [];
    for (let e = 0; e < tfEpochCount; e++) {
      const t = performance.now();
      sgd.epoch(step);
      kernelSeconds.push((performance.now() - t) / 1000);
    }
    await sgd.close();
    const kernelVal = ratingMetrics(kernelModel, valData).rmse;
    const tfModel = fresh();
    err(`[bench] TF.js path: ${tfEpochCount} epochs over ${subsetSize} ratings, batch ${tfBatch} ...`);
    const tfRun = await tfEpochs(tf, tfModel, data, step, tfEpochCount, tfBatch);
    const tfVal = ratingMetrics(tfModel, valData).rmse;
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const scale = ratings / subsetSize;
    out();
    out(
      `## kernel vs pure TF.js gradient path (same ${subsetSize}-rating subset of the train set, ${tfEpochCount} epochs, full-size tables: ${indexing.users.ids.length} users x ${indexing.movies.ids.length} movies)`,
    );
    out(
      `| path | s/epoch measured on ${subsetSize} | s/epoch EXTRAPOLATED to ${ratings} (x${scale.toFixed(1)}, linear in ratings) | validation RMSE after ${tfEpochCount} epochs |`,
    );
    out(`| --- | --- | --- | --- |`);
    out(
      `| WebAssembly SIMD kernel, ${threads} threads (per-rating SGD) | ${mean(kernelSeconds).toFixed(3)} | ${(mean(kernelSeconds) * scale).toFixed(1)} (measured at full size above: ${(sgdTotal / epochSeconds.length).toFixed(2)}) | ${kernelVal.toFixed(4)} |`,
    );
    out(
      `| TF.js ${backend}: mini-batch Adam (batch ${tfBatch}), tf.gather + hand-derived gradient via tf.scatterND | ${mean(tfRun.seconds).toFixed(3)} | ${(mean(tfRun.seconds) * scale).toFixed(1)} | ${tfVal.toFixed(4)} |`,
    );
    out(`TF.js / kernel time ratio on the subset: ${(mean(tfRun.seconds) / mean(kernelSeconds)).toFixed(0)}x`);
    summary.tfComparison = {
      subsetRatings: subsetSize,
      epochs: tfEpochCount,
      batch: tfBatch,
      kernelSecondsPerEpoch: mean(kernelSeconds),
      tfSecondsPerEpoch: mean(tfRun.seconds),
      extrapolatedTo: ratings,
      kernelExtrapolated: mean(kernelSeconds) * scale,
      tfExtrapolated: mean(tfRun.seconds) * scale,
      kernelValidationRmse: kernelVal,
      tfValidationRmse: tfVal,
    };
  }

  // --- 3. the fixed ml-latest-small split ------------------------------------------------------
  if (!values['no-fixed'] && !values['fixed-split']) {
    out();
    out('fixed split: skipped (pass --fixed-split DIR, a folder with train.csv and test.csv, to evaluate on it)');
  } else if (!values['no-fixed'] && values['fixed-split']) {
    const dir = values['fixed-split'];
    const fixedTrain = readRatingsCsv(join(dir, 'train.csv'));
    const fixedTest = readRatingsCsv(join(dir, 'test.csv'));
    // The kernel trains plain biased MF: evaluate that rating model (ratingModel 'mf'); the single-thread
    // comparison skips the ranker, whose rows do not depend on the SGD path.
    const runWith = async (t: number, ranker: boolean) =>
      (
        await evaluateOnSplit(
          fixedTrain,
          fixedTest,
          { ...config.training, threads: t, parallelMinRatings: 0 },
          { ratingModel: 'mf', ...(ranker ? {} : { implicit: false }) },
        )
      ).report;
    const fast = await runWith(Math.max(2, threads), true);
    const single = await runWith(1, false);
    const h = config.training;
    summary.fixedSplit = {
      dir,
      parallel: { models: fast.models, selection: { ...fast.selection, history: undefined } },
      singleThread: {
        models: single.models.filter((m) => m.model === RATING_MODEL_LABELS.mf.row),
        selection: { ...single.selection, history: undefined },
      },
    };
    out();
    out(
      `## fixed split ${dir}: ${fast.splits.train} train / ${fast.splits.test} test ratings (${fast.test.unknownMovieRows} test rows of movies absent from train)`,
    );
    out(
      `MF hyper-parameters from config/training.json: k ${h.factors}, lr ${h.learningRate}, reg ${h.regularization}, bias reg ${h.biasRegularization}; epochs chosen on a validation part of train`,
    );
    out(
      `parallel kernel (${Math.max(2, threads)} threads): best epoch ${fast.selection.bestEpoch} (validation RMSE ${fast.selection.bestValidationRmse?.toFixed(4)})`,
    );
    out();
    out(formatModelTable(fast.models, fast.k));
    out();
    out(
      `single-thread kernel, same split: best epoch ${single.selection.bestEpoch} (validation RMSE ${single.selection.bestValidationRmse?.toFixed(4)})`,
    );
    out();
    out(
      formatModelTable(
        single.models.filter((m) => m.model === RATING_MODEL_LABELS.mf.row),
        single.k,
      ),
    );
    out();
    out(`validation RMSE per epoch (selection run), parallel vs single-thread:`);
    const n = Math.max(fast.selection.history.length, single.selection.history.length);
    const cell = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(4));
    for (let e = 0; e < n; e += Math.max(1, Math.floor(n / 12))) {
      out(`  epoch ${e + 1}: ${cell(fast.selection.history[e]?.validationRmse)} vs ${cell(single.selection.history[e]?.validationRmse)}`);
    }
  }
  out();
  out(`peak RSS of the whole run: ${gib(peakRss())}; wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const jsonPath = values.json ?? join(config.root, 'reports', 'bench-train.json');
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify({ ...summary, peakRssWholeRunBytes: peakRss() }, null, 2)}\n`);
  out(`wrote ${jsonPath}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-train failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
