import type { Experiment, ExperimentOutcome, ExperimentStore, NewExperiment } from '@reelrank/feedback';
import type { Recommender } from '@reelrank/serving';
import { armSplitter, type Arm } from './experiment-arm.js';

/** Where one answer comes from during an experiment: the arm, the version serving it and its model. */
export interface ArmChoice {
  readonly experimentId: number;
  readonly arm: Arm;
  readonly version: string;
  readonly recommender: Recommender;
}

/**
 * The running experiment as this process serves it: the challenger model loaded beside the live one
 * (which serves the control arm, whatever version is live), and each user's arm.
 */
export class ActiveExperiment {
  readonly armOf: (userId: number) => Arm;
  private readonly challengerChoice: ArmChoice;
  private controlChoice: ArmChoice | undefined;

  constructor(
    readonly experiment: Experiment,
    readonly challenger: Recommender,
  ) {
    this.armOf = armSplitter(experiment.seed, experiment.share);
    this.challengerChoice = { experimentId: experiment.id, arm: 'challenger', version: challenger.manifest.version, recommender: challenger };
  }

  /** The user's arm with the model that answers it (`live` for the control arm); no allocation per request. */
  choose(userId: number, live: Recommender): ArmChoice {
    if (this.armOf(userId) === 'challenger') return this.challengerChoice;
    let control = this.controlChoice;
    if (control === undefined || control.recommender !== live)
      this.controlChoice = control = { experimentId: this.experiment.id, arm: 'control', version: live.manifest.version, recommender: live };
    return control;
  }
}

export interface ExperimentRunnerOptions {
  /** How often the store is asked for the running experiment (config serving.experimentPollMs). */
  pollMs: number;
  /** After every change of what this process serves (and after the first read): e.g. the registry's pins. */
  onChange?: (active: ActiveExperiment | undefined) => void;
  /** An experiment this process served has ended (by any process): its final row. */
  onEnded?: (experiment: Experiment) => void;
  /** The store could not be read, or a challenger could not be loaded (this process then serves the control arm only). */
  onError?: (error: unknown, what: string) => void;
  /** Whether models can be built yet (main.ts: once the live model is loaded); until then a poll does nothing. */
  ready?: () => boolean;
  /** After a failed challenger load, how long until this process tries again (default 30 s). */
  retryMs?: number;
}

/**
 * Keeps `active` in step with the store's running experiment: every `pollMs` one read; when another
 * experiment runs, its challenger is loaded (built completely, then swapped in, as a reload); when
 * none runs, the challenger is closed. Requests read `active` once: undefined costs them one branch.
 * Starting and concluding go through here too, one change at a time, so a poll never loads a
 * challenger twice or resurrects a concluded experiment.
 */
export class ExperimentRunner {
  active: ActiveExperiment | undefined;
  /** Why this process does not serve the running experiment's challenger (undefined when it does or none runs). */
  loadError: { experimentId: number; message: string; at: number } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private synced = false;

  constructor(
    readonly store: ExperimentStore,
    /** Builds the model of a registry version (the same build as a reload). */
    readonly load: (version: string) => Recommender,
    private readonly options: ExperimentRunnerOptions,
  ) {}

  /** Reads the store now, then every pollMs (a poll is skipped while a change is under way). */
  start(): Promise<void> {
    this.timer ??= setInterval(() => {
      if (!this.busy) void this.refresh();
    }, this.options.pollMs);
    this.timer.unref();
    return this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.swap(undefined);
  }

  /** One read of the store, and the change it calls for; never throws (onError hears). */
  refresh(): Promise<void> {
    return this.exclusive(async () => {
      if (this.options.ready && !this.options.ready()) return;
      let running: Experiment | undefined;
      try {
        running = await this.store.running();
      } catch (error) {
        this.options.onError?.(error, 'the running experiment could not be read; serving as before');
        return;
      }
      const current = this.active?.experiment;
      if (running?.id === current?.id) {
        if (!this.synced) this.swap(this.active);
        return;
      }
      if (!running) {
        this.loadError = undefined;
        this.swap(undefined);
        if (current) await this.announceEnd(current.id);
        return;
      }
      const failed = this.loadError;
      if (failed?.experimentId === running.id && Date.now() - failed.at < (this.options.retryMs ?? 30_000)) return;
      try {
        const challenger = this.load(running.challengerVersion);
        this.loadError = undefined;
        this.swap(new ActiveExperiment(running, challenger));
      } catch (error) {
        this.loadError = { experimentId: running.id, message: (error as Error)?.message ?? String(error), at: Date.now() };
        this.swap(undefined);
        this.options.onError?.(
          error,
          `the challenger ${running.challengerVersion} of experiment ${running.id} could not be loaded; serving the control arm only`,
        );
      }
    });
  }

  /**
   * Starts an experiment with a challenger already loaded (by the caller, so a version that does not
   * load is refused before anything is stored); ExperimentConflictError when one runs, then the
   * challenger is closed.
   */
  begin(experiment: NewExperiment, challenger: Recommender): Promise<ActiveExperiment> {
    return this.exclusive(async () => {
      let started: Experiment;
      try {
        started = await this.store.start(experiment);
      } catch (error) {
        challenger.close();
        throw error;
      }
      this.loadError = undefined;
      const active = new ActiveExperiment(started, challenger);
      this.swap(active);
      return active;
    });
  }

  /**
   * Concludes experiment `id` if it runs: `beforeEnd` first (a promotion makes the challenger live;
   * if it throws, the experiment keeps running), then the store, then this process stops serving it.
   * Undefined when it was not running.
   */
  conclude(id: number, outcome: ExperimentOutcome, beforeEnd?: (experiment: Experiment) => Promise<unknown>): Promise<Experiment | undefined> {
    return this.exclusive(async () => {
      const experiment = await this.store.get(id);
      if (experiment?.status !== 'running') return undefined;
      await beforeEnd?.(experiment);
      const ended = await this.store.conclude(id, outcome);
      if (this.active?.experiment.id === id) this.swap(undefined);
      return ended;
    });
  }

  private async announceEnd(id: number): Promise<void> {
    try {
      const final = await this.store.get(id);
      if (final && final.status !== 'running') this.options.onEnded?.(final);
    } catch (error) {
      this.options.onError?.(error, `how experiment ${id} ended could not be read`);
    }
  }

  private swap(next: ActiveExperiment | undefined): void {
    const previous = this.active;
    this.active = next;
    if (previous && previous !== next) previous.challenger.close();
    this.synced = true;
    this.options.onChange?.(next);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      this.busy = true;
      try {
        return await work();
      } finally {
        this.busy = false;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
