import type { Logger } from 'pino';
import type { ExperimentStore } from '@reelrank/feedback';
import { writeVersionPins } from '@reelrank/model';
import type { Recommender } from '@reelrank/serving';
import { ExperimentRunner } from './experiment-runner.js';
import type { ModelHolder } from './model-holder.js';
import type { ModelRegistryOptions } from './model-routes.js';

export interface ExperimentsOptions {
  store: ExperimentStore;
  /** Builds a registry version's model (main.ts: the same build as a reload, with its own catalogue handle). */
  load: (version: string) => Recommender;
  /** config serving.experimentPollMs. */
  pollMs: number;
}

/**
 * The runner of a server: pins the running experiment's versions in the registry (a training's prune
 * keeps them), follows a promotion made by another process (its live pointer moved: reload it, as a
 * SIGHUP would), and logs what it could not do.
 */
export function experimentRunnerFor(
  options: ExperimentsOptions,
  deps: { registry?: ModelRegistryOptions; holder?: ModelHolder; logger: Logger },
): ExperimentRunner {
  const { registry, holder, logger } = deps;
  return new ExperimentRunner(options.store, options.load, {
    pollMs: options.pollMs,
    onChange: (active) => {
      if (!registry) return;
      const e = active?.experiment;
      try {
        writeVersionPins(registry.paths.registryDir, 'experiments', e ? [...new Set([e.challengerVersion, e.controlVersion])] : []);
      } catch (error) {
        logger.warn({ err: error }, 'the experiment versions could not be pinned in the registry');
      }
      if (e) logger.info({ experiment: e }, `experiment ${e.id}: ${e.challengerVersion} serves ${Math.round(e.share * 1000) / 10}% of users`);
    },
    onEnded: (e) => {
      logger.info({ experiment: e }, `experiment ${e.id} ended (${e.status})`);
      if (e.status !== 'promoted' || !holder || holder.current()?.manifest.version === e.challengerVersion) return;
      holder.reloadFresh({ source: 'signal' }).then(
        (result) => logger.info({ version: result.version }, `experiment ${e.id} promoted its challenger elsewhere: model ${result.version} is live`),
        (error: unknown) => logger.warn({ err: error }, `experiment ${e.id} was promoted elsewhere, but the live model could not be reloaded`),
      );
    },
    onError: (error, what) => logger.error({ err: error }, what),
    ready: () => holder === undefined || holder.current() !== undefined,
  });
}
