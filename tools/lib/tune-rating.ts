import { trainRatingModel, type RatingsColumns } from '@reelrank/trainer';
import { gridTable, rowMarks } from './grid-table.js';

type RatingKind = Parameters<typeof trainRatingModel>[0];
type RatingSettings = Parameters<typeof trainRatingModel>[3];
type SvdppSettings = NonNullable<NonNullable<Parameters<typeof trainRatingModel>[4]>['svdpp']>;

/** The rating model's settings a search varies (the rest stay as planned). */
export interface RatingGridPoint {
  factors: number;
  regularization: number;
  biasRegularization: number;
}

export interface RatingGridRow extends RatingGridPoint {
  bestEpoch: number;
  validationRmse: number;
  seconds: number;
  committed: boolean;
}

/**
 * Fits the rating model on `fit` once per grid point, with the train stage's early stopping on
 * `validation` (never the test part), and returns the best validation RMSE of each.
 */
export function tuneRatingModel(
  kind: RatingKind,
  fit: RatingsColumns,
  validation: RatingsColumns,
  planned: RatingSettings,
  svdpp: SvdppSettings | null,
  grid: RatingGridPoint[],
  log: (line: string) => void,
): RatingGridRow[] {
  return grid.map((point, i) => {
    const started = performance.now();
    const result = trainRatingModel(kind, fit, validation, { ...planned, ...point }, { svdpp });
    const row: RatingGridRow = {
      ...point,
      bestEpoch: result.bestEpoch,
      validationRmse: result.bestValidationRmse ?? Number.NaN,
      seconds: (performance.now() - started) / 1000,
      committed:
        point.factors === planned.factors &&
        point.regularization === planned.regularization &&
        point.biasRegularization === planned.biasRegularization,
    };
    log(
      `[tune] rating ${i + 1}/${grid.length} k ${point.factors} reg ${point.regularization} bias reg ${point.biasRegularization}: validation RMSE ${row.validationRmse.toFixed(4)} (epoch ${row.bestEpoch}, ${row.seconds.toFixed(1)} s)`,
    );
    return row;
  });
}

/** The grid as a markdown table, best validation RMSE marked. */
export function ratingGridTable(rows: RatingGridRow[], label: string): string {
  const best = rows.reduce((a, b) => (b.validationRmse < a.validationRmse ? b : a));
  const header = ['factors', 'reg', 'bias reg', 'best epoch', 'validation RMSE', 's', ''];
  const lines = rows.map((r) => [
    String(r.factors),
    String(r.regularization),
    String(r.biasRegularization),
    String(r.bestEpoch),
    r.validationRmse.toFixed(4),
    r.seconds.toFixed(1),
    rowMarks(r === best, r.committed),
  ]);
  return gridTable(`rating model (${label}) on the validation part, early stopping as the train stage does`, header, lines);
}
