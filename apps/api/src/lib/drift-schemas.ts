import { z } from 'zod';
import { DRIFT_FEATURES, DRIFT_WINDOWS, type DriftWindowName } from '@reelrank/model';

/** Schemas of GET /metrics/drift and the dashboard summary's drift part (OpenAPI, as model-schemas.ts). */

const feature = z.enum(DRIFT_FEATURES);
const windowName = z.enum(DRIFT_WINDOWS.map((w) => w.window) as [DriftWindowName, ...DriftWindowName[]]);
const perFeature = <T extends z.ZodType>(value: T) => z.object({ rating: value, userActivity: value, genre: value, newUsers: value });
const finding = z.object({ feature, window: windowName, psi: z.number() });

export const driftReportResponse = z.object({
  at: z.string().meta({ description: 'When it was measured (measurements run on a timer: config operations.drift.refreshSeconds)' }),
  modelVersion: z.string().nullable().meta({ description: 'The live model whose training profile the windows are compared with' }),
  note: z.string().nullable().meta({ description: 'Why there are no figures (no profile, too few ratings), else null' }),
  threshold: z.number().meta({ description: 'config operations.drift.threshold', example: 0.25 }),
  minRatings: z.number().int().meta({ description: 'Fewest ratings a window needs for figures (config operations.drift.minRatings)' }),
  judged: z.array(feature).meta({ description: 'The features judged against the threshold (config operations.drift.features)' }),
  profile: z
    .object({
      ratings: z.number().int(),
      users: z.number().int(),
      features: perFeature(z.object({ bins: z.array(z.string()), shares: z.array(z.number()) })),
    })
    .nullable()
    .meta({ description: "The training data's shares per bin (half a rating added to every bin); null: the live model has no profile" }),
  windows: z.array(
    z.object({
      window: windowName,
      since: z.string(),
      ratings: z.number().int().meta({ description: 'Posted ratings in the window (read: at most config operations.drift.maxRatings, the newest)' }),
      users: z.number().int(),
      truncated: z.boolean().meta({ description: 'The read stopped at maxRatings: the figures are of the newest ratings' }),
      psi: perFeature(z.number()).nullable().meta({ description: 'PSI per feature; null below minRatings or without a profile' }),
      shares: perFeature(z.array(z.number())).nullable(),
    }),
  ),
  worst: finding.nullable().meta({ description: 'The largest PSI of a judged feature' }),
  drifted: z.boolean().meta({ description: 'worst.psi >= threshold' }),
  seconds: z.number().meta({ description: 'What the measurement took (the read and the binning)' }),
});

export const driftSummary = z
  .object({
    measured_at: z.string(),
    threshold: z.number().nullable(),
    judged: z.array(z.string()),
    windows: z.record(z.string(), z.object({ ratings: z.number().nullable(), psi: z.record(z.string(), z.number()) })),
    worst: z.object({ feature: z.string(), window: z.string(), psi: z.number() }).nullable(),
    drifted: z.boolean(),
  })
  .nullable()
  .meta({ description: "PSI of the last day's and week's posted ratings against the live model's training data; null before the first measurement" });
