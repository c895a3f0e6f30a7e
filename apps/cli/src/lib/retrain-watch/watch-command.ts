import { spawn } from 'node:child_process';
import { splitList, type AppConfig } from '@reelrank/config';
import { openRatingsStore } from '@reelrank/feedback';
import { UsageError } from '../errors.js';
import { callServer, serverError } from '../server-calls.js';
import { pipelineFailure, type PipelineInvocation } from '../stage-commands.js';
import type { CommandResult } from '../command.js';
import { RetrainWatcher, type WatchEvent } from './retrain-watcher.js';
import { servedModels } from './served-models.js';
import { serversBehind } from './servers-behind.js';
import { driftSource } from './drift-source.js';
import { trainingLockOf } from './training-lock.js';

/**
 * `reelrank retrain --watch`: the RetrainWatcher with the real parts: the posted-ratings store the
 * config selects, the registry on disk, the training lock, the Nx pipeline `reelrank retrain` runs
 * (in a process group of its own, ended with the watcher on SIGTERM/SIGINT), and POST /admin/reload
 * of the configured servers. Runs until SIGTERM or SIGINT.
 */

export interface WatchOptions {
  config: AppConfig;
  invocation: PipelineInvocation;
  /** Servers to reload besides config operations.watch.reloadUrls (the --reload flag). */
  extraReloadUrl?: string;
  /** The --token flag (else operations.watch.reloadToken, else the admin token). */
  token?: string;
  json: boolean;
  usage: string;
  log: (line: string) => void;
}

export async function watchAndRetrain(options: WatchOptions): Promise<CommandResult> {
  const { config, invocation, usage } = options;
  const watch = config.operations.watch;
  const urls = [...splitList(watch.reloadUrls), ...(options.extraReloadUrl ? [options.extraReloadUrl] : [])];
  const token = options.token ?? watch.reloadToken ?? config.identity.adminToken;
  if (urls.length && !token)
    throw new UsageError(
      'reloading servers needs an admin credential: --token, REELRANK_RETRAIN_WATCH_RELOAD_TOKEN (an admin key) or REELRANK_ADMIN_TOKEN',
      usage,
    );

  const log = (event: WatchEvent) =>
    options.log(options.json ? JSON.stringify(event) : `${event.at} retrain --watch (${config.dataset.dataset}): ${event.text}`);
  const { store, location } = openRatingsStore(config);
  let child: ReturnType<typeof spawn> | undefined;
  let wake: (() => void) | undefined;

  const watcher = new RetrainWatcher({
    settings: watch,
    now: Date.now,
    countNewerThan: (id) => store.countNewerThan(id),
    models: () => servedModels(config.paths),
    drift: driftSource(store, config),
    lock: trainingLockOf(config, (error) =>
      log({ at: new Date().toISOString(), event: 'error', text: `the training lock's connection failed: ${error.message}` }),
    ),
    statePath: config.paths.retrainStatePath,
    runStages: (started) =>
      new Promise<void>((resolve, reject) => {
        child = spawn(invocation.command, invocation.args, { cwd: invocation.cwd, env: invocation.env, stdio: 'inherit', detached: true });
        started(child.pid ?? null);
        child.once('error', reject);
        child.once('exit', (code, signal) => {
          child = undefined;
          started(null);
          if (code === 0) resolve();
          else reject(pipelineFailure(code ?? signal));
        });
      }),
    reload: urls.length ? () => reloadAt(urls) : undefined,
    log,
  });
  async function reloadAt(targets: string[]): Promise<string[]> {
    const lines: string[] = [];
    for (const url of targets) {
      const { status, body } = await callServer(url, '/admin/reload', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      if (status !== 200) throw new Error(`${url}: ${serverError(status, body).message}`);
      lines.push(`${url}: model ${String(body.version)} is live (${String(body.status)}; was ${String(body.previous_version)})`);
    }
    return lines;
  }

  const stop = (signal: NodeJS.Signals) => {
    log({ at: new Date().toISOString(), event: 'decision', text: `${signal}: stopping${child ? ' (ending the running stages)' : ''}` });
    watcher.stop();
    wake?.();
    if (child?.pid) process.kill(-child.pid, 'SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  log({
    at: new Date().toISOString(),
    event: 'decision',
    text: `watching the posted ratings in ${location}: retrain at ${watch.minNewRatings} new ratings, or after ${watch.intervalSeconds} s with any${watch.onDrift ? `, or on drift (PSI >= ${config.operations.drift.threshold} on ${config.operations.drift.features}, ${watch.driftCooldownSeconds} s after a training)` : ''}; a look every ${watch.pollSeconds} s; ${urls.length ? `reloads ${urls.join(', ')}` : 'no server to reload'}`,
  });
  const live = urls.length ? servedModels(config.paths).live?.version : undefined;
  if (live) {
    const behind = await serversBehind(urls, token!, live);
    for (const { url, serving } of behind)
      log({ at: new Date().toISOString(), event: 'decision', text: `${url} serves ${serving}, not the live model ${live}: reloading it` });
    try {
      for (const line of behind.length ? await reloadAt(behind.map((b) => b.url)) : [])
        log({ at: new Date().toISOString(), event: 'reload', text: line });
    } catch (error) {
      log({ at: new Date().toISOString(), event: 'error', text: `reload failed (tried again after the next training): ${(error as Error).message}` });
    }
  }
  try {
    await watcher.run(
      (ms) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
    );
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    await store.close();
  }
  return { json: { status: 'stopped' }, text: 'retrain --watch stopped' };
}
