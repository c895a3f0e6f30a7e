/**
 * Progress lines for long work. Stages print to stderr so stdout stays machine-readable;
 * updates are throttled (one line per interval) so logs stay short in CI.
 */
export interface ProgressReporter {
  update(done: number, detail?: string): void;
  done(summary: string): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: 'rows' | 'bytes' | 'epochs';
  intervalMs?: number;
  write?: (line: string) => void;
  now?: () => number;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function createProgress(options: ProgressOptions): ProgressReporter {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => Date.now());
  const interval = options.intervalMs ?? 1000;
  const started = now();
  let last = -Infinity;
  const fmt = (n: number) => (options.unit === 'bytes' ? formatBytes(n) : formatCount(n));
  return {
    update(done, detail) {
      const t = now();
      if (t - last < interval && !(options.total !== undefined && done >= options.total)) return;
      last = t;
      const seconds = Math.max((t - started) / 1000, 1e-3);
      const rate = done / seconds;
      let line = `[${options.label}] ${fmt(done)}`;
      if (options.total) {
        const pct = ((100 * done) / options.total).toFixed(1);
        const eta = rate > 0 ? Math.max(0, (options.total - done) / rate) : NaN;
        line += ` / ${fmt(options.total)} (${pct}%, ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'})`;
      }
      line += ` ${fmt(rate)}${options.unit === 'bytes' ? '' : ` ${options.unit ?? 'items'}`}/s`;
      if (detail) line += ` ${detail}`;
      write(line);
    },
    done(summary) {
      write(`[${options.label}] ${summary} in ${((now() - started) / 1000).toFixed(2)} s`);
    },
  };
}
