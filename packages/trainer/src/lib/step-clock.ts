/** Wall and CPU seconds (user + system of the whole process, every thread) of one step. */
export interface StepTime {
  wall: number;
  cpu: number;
}

/** Times named steps; timing the same name again adds to it. */
export class StepClock {
  readonly steps: Record<string, StepTime> = {};

  time<T>(step: string, work: () => T): T {
    const started = this.start();
    try {
      return work();
    } finally {
      this.add(step, started);
    }
  }

  async timeAsync<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = this.start();
    try {
      return await work();
    } finally {
      this.add(step, started);
    }
  }

  /** Wall seconds per step (metrics.json's `timings` shape). */
  wallSeconds(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.steps).map(([step, t]) => [step, t.wall]));
  }

  private start() {
    return { wall: performance.now(), cpu: process.cpuUsage() };
  }

  private add(step: string, started: { wall: number; cpu: NodeJS.CpuUsage }): void {
    const cpu = process.cpuUsage(started.cpu);
    const t = (this.steps[step] ??= { wall: 0, cpu: 0 });
    t.wall += (performance.now() - started.wall) / 1000;
    t.cpu += (cpu.user + cpu.system) / 1e6;
  }
}

/** The stage's steps as the train log and metrics.json's `steps` name them, and the detailed timings they group. */
export const STAGE_STEPS: Record<string, readonly string[]> = {
  read: ['readDatabase'],
  ratingModel: ['carveValidation', 'selection', 'refit', 'servedFit'],
  neighbourhood: ['neighbourhoodSelection', 'neighbourhoodRefit', 'servedNeighbourhoodFit'],
  ranker: ['rankerFitSelection', 'rankerRefit', 'servedRankerFit'],
  tuning: ['rankerTuning'],
  evaluation: ['prepareEvaluation', 'prepareValidation', 'evaluation', 'diversitySweep', 'gate'],
  contentMap: ['contentMap'],
  save: ['save'],
  // The calling thread waiting for the served fit on the worker thread (served-fit.ts).
  servedWait: ['servedWait'],
};

/**
 * Groups detailed step times into STAGE_STEPS, plus `other` (the rest of `total`) and `total`. Steps that ran
 * on a worker thread beside them (`offThread`: the served fit on every rating) are summed into `offThread`
 * instead, outside `other`: their wall time overlaps the grouped steps', and each step's CPU is the process's
 * (every thread) while it ran.
 */
export function groupSteps(detail: Record<string, StepTime>, total: StepTime, offThread: Record<string, StepTime> = {}): Record<string, StepTime> {
  const grouped: Record<string, StepTime> = {};
  const sum = { wall: 0, cpu: 0 };
  for (const [step, parts] of Object.entries(STAGE_STEPS)) {
    const t = { wall: 0, cpu: 0 };
    for (const part of parts) {
      t.wall += detail[part]?.wall ?? 0;
      t.cpu += detail[part]?.cpu ?? 0;
    }
    grouped[step] = t;
    sum.wall += t.wall;
    sum.cpu += t.cpu;
  }
  if (Object.keys(offThread).length) {
    grouped.offThread = { wall: 0, cpu: 0 };
    for (const t of Object.values(offThread)) {
      grouped.offThread.wall += t.wall;
      grouped.offThread.cpu += t.cpu;
    }
  }
  grouped.other = { wall: Math.max(0, total.wall - sum.wall), cpu: Math.max(0, total.cpu - sum.cpu) };
  grouped.total = total;
  return grouped;
}

/** One log line: `step wall s (cpu s)` per step. */
export function stepLine(grouped: Record<string, StepTime>): string {
  return Object.entries(grouped)
    .map(([step, t]) => `${step} ${t.wall.toFixed(2)} s (cpu ${t.cpu.toFixed(2)})`)
    .join(', ');
}
