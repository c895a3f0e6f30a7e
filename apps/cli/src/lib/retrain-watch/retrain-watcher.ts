import { hostname } from 'node:os';
import {
  readRetrainWatchState,
  writeRetrainWatchState,
  type DriftFinding,
  type RetrainCheck,
  type RetrainOutcome,
  type RetrainRun,
} from '@reelrank/model';
import { decideRetrain, formatSeconds, type WatchSettings, type WatchVerdict } from './watch-decision.js';
import type { ModelFacts } from './served-models.js';
import type { HeldLock, TrainingLock } from './training-lock.js';

/**
 * The loop of `reelrank retrain --watch`: look at the posted ratings, decide (watch-decision.ts),
 * and when it is time, take the training lock, look again under it (another process may have
 * trained meanwhile), run the stages, record the run and tell the servers to reload. Every look and
 * every run is logged and written to the state file the API's /metrics reads. Everything outside
 * (clock, store, stages, servers) comes in as a dependency, so the same loop runs in the CLI and in
 * the specs.
 */

export interface WatchEvent {
  at: string;
  event: 'decision' | 'locked-out' | 'training' | 'finished' | 'reload' | 'error';
  text: string;
  [field: string]: unknown;
}

export interface WatcherDeps {
  settings: WatchSettings;
  now: () => number;
  /** Posted ratings with an id above `id`. */
  countNewerThan(id: number): Promise<number>;
  /** The model the pipeline built last and the one the registry serves (served-models.ts). */
  models(): { built: ModelFacts | null; live: ModelFacts | null };
  lock: TrainingLock;
  /**
   * The drift of the posted ratings from the live model's training data, when a judged feature reaches
   * the threshold (drift-source.ts); asked only with settings.onDrift. Absent: drift is not watched.
   */
  drift?: () => Promise<DriftFinding | null>;
  /** Runs the stages; `started` hears the process they run in. Rejects when they fail. */
  runStages(started: (pid: number | null) => void): Promise<void>;
  /** Tells the running servers to load the live model; resolves with one line per server, rejects naming the one that failed. */
  reload?: () => Promise<string[]>;
  statePath: string;
  log(event: WatchEvent): void;
}

/** The newest posted-rating id a model has read: the served one's or the built one's, the larger. */
const baselineOf = (models: { built: ModelFacts | null; live: ModelFacts | null }) =>
  models.built || models.live ? Math.max(models.built?.postedNewestId ?? 0, models.live?.postedNewestId ?? 0) : null;

export class RetrainWatcher {
  private readonly pid = process.pid;
  private readonly host = hostname();
  /** The last run this process recorded (re-applied if another writer's look overwrote it). */
  private ownRun: RetrainRun | null = null;
  private reloadPending = false;
  private stopping = false;

  constructor(private readonly deps: WatcherDeps) {}

  /** Stops at the next chance: a wait ends at once; a running training is the caller's to end (runStages). */
  stop(): void {
    this.stopping = true;
  }

  private iso(ms = this.deps.now()) {
    return new Date(ms).toISOString();
  }

  private emit(event: WatchEvent['event'], text: string, fields: Record<string, unknown> = {}) {
    this.deps.log({ at: this.iso(), event, text, ...fields });
  }

  private writeState(check: RetrainCheck | null, run?: RetrainRun) {
    const state = readRetrainWatchState(this.deps.statePath);
    if (check) state.check = check;
    if (run) this.ownRun = run;
    if (this.ownRun && (!state.run || state.run.startedAt <= this.ownRun.startedAt)) state.run = this.ownRun;
    writeRetrainWatchState(this.deps.statePath, state);
  }

  /** The facts for a decision and the verdict. */
  private async look(): Promise<{ verdict: WatchVerdict; waiting: number | null; models: ReturnType<WatcherDeps['models']> }> {
    const models = this.deps.models();
    const baseline = baselineOf(models);
    const waiting = baseline === null ? null : await this.deps.countNewerThan(baseline);
    const run = readRetrainWatchState(this.deps.statePath).run;
    const lastSuccess = run?.lastSuccessAt ? Date.parse(run.lastSuccessAt) : null;
    const trained = models.built?.createdAt ?? null;
    const lastTrainedAt = trained === null ? lastSuccess : lastSuccess === null ? trained : Math.max(trained, lastSuccess);
    const failures = run && !run.running ? run.consecutiveFailures : 0;
    const drift = this.deps.settings.onDrift && this.deps.drift && waiting ? await this.deps.drift() : null;
    const verdict = decideRetrain(
      {
        now: this.deps.now(),
        ratingsWaiting: waiting,
        lastTrainedAt,
        consecutiveFailures: failures,
        lastFailureAt: failures > 0 && run?.finishedAt ? Date.parse(run.finishedAt) : null,
        drift,
      },
      this.deps.settings,
    );
    return { verdict, waiting, models };
  }

  private check(verdict: WatchVerdict, waiting: number | null, reason = verdict.reason, decision = verdict.decision): RetrainCheck {
    return {
      at: this.iso(),
      pid: this.pid,
      host: this.host,
      decision,
      reason,
      ratingsWaiting: waiting ?? 0,
      nextCheckAt: this.iso(verdict.nextCheckAt),
    };
  }

  /** One look (and a training when it is time); resolves with when to look next (ms). */
  async checkOnce(): Promise<number> {
    if (this.reloadPending) await this.reload();
    let first;
    try {
      first = await this.look();
    } catch (error) {
      const next = this.deps.now() + this.deps.settings.pollSeconds * 1000;
      this.emit(
        'error',
        `cannot read the posted ratings or the models: ${(error as Error).message}; next check in ${formatSeconds(this.deps.settings.pollSeconds)}`,
      );
      return next;
    }
    const { verdict, waiting } = first;
    if (verdict.decision === 'wait') {
      this.emit('decision', `wait: ${verdict.reason}`, { decision: 'wait', ratingsWaiting: waiting, nextCheckAt: this.iso(verdict.nextCheckAt) });
      this.writeState(this.check(verdict, waiting));
      return verdict.nextCheckAt;
    }
    let attempt;
    try {
      attempt = await this.deps.lock.tryAcquire();
    } catch (error) {
      const reason = `cannot take the training lock (${this.deps.lock.where}): ${(error as Error).message}`;
      this.emit('error', reason);
      this.writeState(this.check(verdict, waiting, reason, 'wait'));
      return verdict.nextCheckAt;
    }
    if ('heldBy' in attempt) {
      const reason = `${verdict.reason}, but another process is training: ${attempt.heldBy}`;
      this.emit('locked-out', `wait: ${reason}`, { decision: 'wait', ratingsWaiting: waiting, nextCheckAt: this.iso(verdict.nextCheckAt) });
      this.writeState(this.check(verdict, waiting, reason, 'wait'));
      return verdict.nextCheckAt;
    }
    try {
      return await this.trainHolding(attempt.held);
    } finally {
      await attempt.held.release().catch((error: Error) => this.emit('error', `releasing the training lock failed: ${error.message}`));
    }
  }

  /** Under the lock: record a run its holder left unfinished (killed), look again, and train if it is still time. */
  private async trainHolding(lock: HeldLock): Promise<number> {
    const previous = readRetrainWatchState(this.deps.statePath).run;
    if (previous?.running) {
      const ended = {
        ...previous,
        running: false,
        outcome: 'failed' as const,
        finishedAt: this.iso(),
        error: 'the run ended without finishing (its process died)',
        version: this.deps.models().live?.version ?? previous.version,
      };
      ended.consecutiveFailures = previous.consecutiveFailures + 1;
      this.writeState(null, ended);
      this.emit(
        'error',
        `the run pid ${previous.pid} started at ${previous.startedAt} never finished: counted as failed run ${ended.consecutiveFailures} in a row`,
      );
    }
    const { verdict, waiting, models } = await this.look();
    if (verdict.decision === 'wait') {
      this.emit('decision', `wait: ${verdict.reason} (looked again under the lock)`, { decision: 'wait', ratingsWaiting: waiting });
      this.writeState(this.check(verdict, waiting));
      return verdict.nextCheckAt;
    }
    const before = models.live?.version ?? null;
    const startedAt = this.deps.now();
    const prior = readRetrainWatchState(this.deps.statePath).run;
    const run: RetrainRun = {
      running: true,
      pid: this.pid,
      host: this.host,
      startedAt: this.iso(startedAt),
      finishedAt: null,
      outcome: null,
      durationSeconds: null,
      error: null,
      consecutiveFailures: prior?.consecutiveFailures ?? 0,
      lastSuccessAt: prior?.lastSuccessAt ?? null,
      previousVersion: before,
      version: before,
    };
    this.writeState(this.check(verdict, waiting), run);
    this.emit('training', `train: ${verdict.reason}; holding the ${lock.describe}`, {
      decision: 'train',
      ratingsWaiting: waiting,
      liveVersion: before,
    });
    let failure: Error | null = null;
    try {
      await this.deps.runStages((pid) => lock.recordChild?.(pid));
    } catch (error) {
      failure = error as Error;
    }
    const finishedAt = this.deps.now();
    const { live, built } = this.deps.models();
    const after = live?.version ?? null;
    const gatedOut = built?.rejected === true && built.version !== after && built.version !== before;
    const outcome: RetrainOutcome = failure ? 'failed' : after !== before ? 'trained' : gatedOut ? 'rejected' : 'unchanged';
    const finished: RetrainRun = {
      ...run,
      running: false,
      finishedAt: this.iso(finishedAt),
      outcome,
      durationSeconds: (finishedAt - startedAt) / 1000,
      error: failure ? failure.message : null,
      consecutiveFailures: failure ? run.consecutiveFailures + 1 : 0,
      lastSuccessAt: failure ? run.lastSuccessAt : this.iso(finishedAt),
      version: after,
    };
    this.writeState(null, finished);
    const took = formatSeconds(finished.durationSeconds!);
    if (failure) {
      // The stages publish only a complete training, so the live model is the one before, unless a step after the publication failed.
      const live = after === before ? `model ${before ?? 'none'} keeps serving` : `model ${after ?? 'none'} was published before the failure`;
      this.emit('finished', `failed after ${took} (${finished.consecutiveFailures} in a row; ${live}): ${failure.message}`, {
        outcome,
        durationSeconds: finished.durationSeconds,
        consecutiveFailures: finished.consecutiveFailures,
        version: after,
      });
      if (after !== before && this.deps.reload) {
        this.reloadPending = true;
        await this.reload();
      }
    } else {
      const rejected = outcome === 'rejected' ? `; the promotion gate rejected ${built!.version} (reelrank models show ${built!.version})` : '';
      this.emit('finished', `${outcome} in ${took}: live model ${after ?? 'none'} (was ${before ?? 'none'})${rejected}`, {
        outcome,
        durationSeconds: finished.durationSeconds,
        version: after,
        previousVersion: before,
      });
      if (outcome === 'trained' && this.deps.reload) {
        this.reloadPending = true;
        await this.reload();
      }
    }
    return (await this.look().catch(() => null))?.verdict.nextCheckAt ?? finishedAt + this.deps.settings.pollSeconds * 1000;
  }

  private async reload(): Promise<void> {
    try {
      for (const line of await this.deps.reload!()) this.emit('reload', line);
      this.reloadPending = false;
    } catch (error) {
      this.emit('error', `reload failed, tried again at the next check: ${(error as Error).message}`);
    }
  }

  /** Looks, and trains when it is time, until stop(); `sleep` waits (and ends early when stopped). */
  async run(sleep: (ms: number) => Promise<void>): Promise<void> {
    while (!this.stopping) {
      let next: number;
      try {
        next = await this.checkOnce();
      } catch (error) {
        // The lock is released by then; a store or a models folder that failed now may answer at the next look.
        next = this.deps.now() + this.deps.settings.pollSeconds * 1000;
        this.emit('error', `the look failed: ${(error as Error).message}; next check in ${formatSeconds(this.deps.settings.pollSeconds)}`);
      }
      if (this.stopping) break;
      await sleep(Math.max(0, next - this.deps.now()));
    }
  }
}
