import { z } from 'zod';

/** Schemas of the experiment routes (validation and OpenAPI, as schemas.ts). */

const versionName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a model version such as mf-0123456789ab')
  .meta({ description: 'A version listed by GET /models', example: 'mf-0123456789ab' });

export const startExperimentRequest = z
  .object({
    challenger_version: versionName,
    share: z.number().gt(0).lt(1).meta({ description: "The challenger's share of users, strictly between 0 and 1", example: 0.2 }),
    name: z
      .string()
      .regex(/^[\w .:@-]{1,64}$/, 'must be 1 to 64 letters, digits, spaces or . _ - : @')
      .optional()
      .meta({ description: 'A label (default "<challenger> vs <live>")', example: 'more factors' }),
    seed: z
      .number()
      .int()
      .min(0)
      .max(0xffffffff)
      .optional()
      .meta({ description: "Seeds the hash of the user id that picks each user's arm (default: random)", example: 42 }),
  })
  .strict();

export const concludeExperimentRequest = z
  .object({
    outcome: z
      .enum(['promote', 'drop'])
      .meta({ description: 'promote: the challenger goes live (as POST /admin/models/{version}/activate); drop: it stops serving' }),
  })
  .strict();

export const experimentIdParams = z
  .object({
    id: z.coerce.number().int().positive().max(2_147_483_647).meta({ description: 'An experiment id (GET /admin/experiments)', example: 1 }),
  })
  .strict();

export const experimentEntry = z.object({
  id: z.number().int(),
  name: z.string(),
  control_version: z.string().meta({ description: 'The version live when it started (the control arm is served by whatever version is live)' }),
  challenger_version: z.string(),
  share: z.number(),
  seed: z.number().int(),
  status: z.enum(['running', 'promoted', 'dropped']),
  started_at: z.string().meta({ example: '2026-01-01T00:00:00.000Z' }),
  ended_at: z.string().nullable(),
});

export const experimentResponse = z.object({ experiment: experimentEntry, live_version: z.string().nullable() });

export const experimentsResponse = z.object({
  running: experimentEntry.nullable(),
  serving: z
    .object({
      challenger_loaded: z.boolean().meta({ description: "Whether this process serves the running experiment's challenger" }),
      error: z.string().nullable().meta({ description: 'Why it does not (its load failed), else null' }),
    })
    .meta({ description: 'This process (each worker and replica reads the running experiment from the store within serving.experimentPollMs)' }),
  experiments: z.array(experimentEntry).meta({ description: 'Every experiment, newest first' }),
});
