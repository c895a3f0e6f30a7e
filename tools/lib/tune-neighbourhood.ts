import type { MfModel } from '@reelrank/model';
import {
  blendedRatingMetrics,
  fitNeighbourhood,
  fitNeighbourhoodBlend,
  indexRatings,
  selectRows,
  splitRows,
  type NeighbourhoodSettings,
  type RatingsColumns,
} from '@reelrank/trainer';
import { gridTable, rowMarks } from './grid-table.js';

export interface NeighbourhoodGridRow extends NeighbourhoodSettings {
  /** Validation RMSE of the rating model alone and blended (two-fold: weights fitted on one half, scored on the other). */
  ratingModelRmse: number;
  blendedRmse: number;
  seconds: number;
  committed: boolean;
}

/**
 * The neighbourhood predictor's settings on the validation part, never the test part: per grid point
 * the lists are fitted on `fit` with the selection model, and the blend weights on one half of
 * `validation` are scored on the other half (and the other way round), so no figure is in sample.
 */
export function tuneNeighbourhood(
  fit: RatingsColumns,
  validation: RatingsColumns,
  model: MfModel,
  committed: NeighbourhoodSettings,
  grid: NeighbourhoodSettings[],
  seed: number,
  log: (line: string) => void,
): NeighbourhoodGridRow[] {
  const halves = splitRows(validation, { seed, validationFraction: 0, testFraction: 0.5 });
  const folds = [
    [selectRows(validation, halves.train), selectRows(validation, halves.test)],
    [selectRows(validation, halves.test), selectRows(validation, halves.train)],
  ];
  return grid.map((settings, g) => {
    const started = performance.now();
    const fitted = fitNeighbourhood(fit, model, settings, { rating: 1, neighbourhood: 0, confident: 0, intercept: 0 });
    const alone = fitted.model;
    let sseAlone = 0;
    let sseBlended = 0;
    let rows = 0;
    for (const [weightsOn, scoredOn] of folds) {
      const { blend } = fitNeighbourhoodBlend(model, alone, settings.k, fitted.byUser, weightsOn, fitted.indexing);
      const scored = indexRatings(scoredOn, fitted.indexing);
      const plain = blendedRatingMetrics(model, alone, fitted.byUser, scored);
      const blended = blendedRatingMetrics(model, { ...alone, blend }, fitted.byUser, scored);
      sseAlone += plain.rmse ** 2 * plain.count;
      sseBlended += blended.rmse ** 2 * blended.count;
      rows += plain.count;
    }
    const row: NeighbourhoodGridRow = {
      ...settings,
      ratingModelRmse: Math.sqrt(sseAlone / rows),
      blendedRmse: Math.sqrt(sseBlended / rows),
      seconds: (performance.now() - started) / 1000,
      committed: (Object.keys(committed) as (keyof NeighbourhoodSettings)[]).every((key) => settings[key] === committed[key]),
    };
    log(
      `[tune] neighbourhood ${g + 1}/${grid.length} k ${settings.k} shrinkage ${settings.shrinkage} candidates ${settings.candidates}: validation RMSE ${row.ratingModelRmse.toFixed(4)} -> ${row.blendedRmse.toFixed(4)} (${row.seconds.toFixed(1)} s)`,
    );
    return row;
  });
}

/** The grid as a markdown table, best blended validation RMSE marked. */
export function neighbourhoodGridTable(rows: NeighbourhoodGridRow[]): string {
  const best = rows.reduce((a, b) => (b.blendedRmse < a.blendedRmse ? b : a));
  const header = ['k', 'shrinkage', 'candidates', 'min common', 'rating model RMSE', 'blended RMSE', 's', ''];
  const lines = rows.map((r) => [
    String(r.k),
    String(r.shrinkage),
    String(r.candidates),
    String(r.minCommon),
    r.ratingModelRmse.toFixed(4),
    r.blendedRmse.toFixed(4),
    r.seconds.toFixed(1),
    rowMarks(r === best, r.committed),
  ]);
  return gridTable(
    'neighbourhood blend on the validation part (lists on the fit part; weights fitted on one half of validation, scored on the other, both ways)',
    header,
    lines,
  );
}
