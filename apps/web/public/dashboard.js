// The service dashboard: polls GET /metrics/summary (cumulative counts) and draws the last few
// minutes as SVG line charts. Rates and latency quantiles come from the difference between two
// polls, so each point describes that interval only. No libraries, no external requests.

import { renderExperiment } from './dashboard-experiment.js';

const params = new URLSearchParams(location.search);
const intervalSeconds = Math.max(0.2, Number(params.get('interval')) || 2);
const KEEP = 120; // points per chart
const SVG = 'http://www.w3.org/2000/svg';

/** @type {{t: number, rps: number|null, p50: number|null, p99: number|null, recommended: number|null, other: number|null}[]} */
const points = [];
let previous = null;

/** The q-quantile (seconds) of the requests between two cumulative histograms, linear within a bucket. */
export function quantileFromBuckets(le, cumulative, q) {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  for (let i = 0; i < le.length; i++) {
    if (cumulative[i] >= rank) {
      const lower = i === 0 ? 0 : le[i - 1];
      const below = i === 0 ? 0 : cumulative[i - 1];
      const inBucket = cumulative[i] - below;
      return inBucket > 0 ? lower + ((le[i] - lower) * (rank - below)) / inBucket : le[i];
    }
  }
  return le[le.length - 1]; // beyond the last finite bound: report that bound
}

/** One chart point from two successive summaries. */
function pointBetween(before, now) {
  const seconds = (Date.parse(now.at) - Date.parse(before.at)) / 1000;
  const requests = now.requests.requests - before.requests.requests;
  // Only the requests of this interval: cumulative(now) - cumulative(before), plus those above the last bound.
  const inInterval = now.latency.cumulative.map((c, i) => c - (before.latency.cumulative[i] ?? 0));
  const overflow = now.latency.count - before.latency.count - (inInterval[inInterval.length - 1] ?? 0);
  const cumulative = overflow > 0 ? [...inInterval, inInterval[inInterval.length - 1] + overflow] : inInterval;
  const le = overflow > 0 ? [...now.latency.le, now.latency.le[now.latency.le.length - 1]] : now.latency.le;
  const ms = (s) => (s === null ? null : s * 1000);
  return {
    t: Date.parse(now.at),
    rps: seconds > 0 ? requests / seconds : null,
    p50: ms(quantileFromBuckets(le, cumulative, 0.5)),
    p99: ms(quantileFromBuckets(le, cumulative, 0.99)),
    recommended: now.online.recommended.hit_rate,
    other: now.online.other.hit_rate,
  };
}

function drawChart(svg, series, { max: fixedMax, format }) {
  const width = 600;
  const height = 180;
  const left = 44;
  const bottom = 20;
  svg.replaceChildren();
  const values = series.flatMap((s) => points.map((p) => p[s]).filter((v) => v !== null && Number.isFinite(v)));
  const max = fixedMax ?? Math.max(1e-9, ...values) * 1.1;
  const x = (i) => left + ((width - left - 4) * i) / Math.max(1, KEEP - 1);
  const y = (v) => height - bottom - ((height - bottom - 6) * v) / max;
  const el = (name, attrs, text) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  el('line', { class: 'axis', x1: left, y1: height - bottom, x2: width, y2: height - bottom });
  el('line', { class: 'axis', x1: left, y1: 4, x2: left, y2: height - bottom });
  el('text', { x: left - 4, y: 12, 'text-anchor': 'end' }, format(max));
  el('text', { x: left - 4, y: height - bottom, 'text-anchor': 'end' }, format(0));
  el('text', { x: width - 4, y: height - 4, 'text-anchor': 'end' }, `last ${Math.round((KEEP * intervalSeconds) / 60)} min`);
  const offset = KEEP - points.length;
  for (const name of series) {
    let d = '';
    points.forEach((p, i) => {
      const v = p[name];
      if (v === null || !Number.isFinite(v)) return;
      d += `${d ? 'L' : 'M'}${x(offset + i).toFixed(1)},${y(Math.min(v, max)).toFixed(1)}`;
    });
    if (d) el('path', { class: `line ${name}`, 'data-series': name, d });
  }
}

/** One figure of the promotion gate across versions: a line through the versions, a dot per version coloured by the decision. */
function drawGateChart(svg, runs, figure) {
  const width = 600;
  const height = 180;
  const left = 44;
  const bottom = 20;
  svg.replaceChildren();
  const el = (name, attrs, label) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (label !== undefined) node.textContent = label;
    svg.append(node);
    return node;
  };
  const scored = runs.filter((r) => r[figure] !== null && Number.isFinite(r[figure]));
  el('line', { class: 'axis', x1: left, y1: height - bottom, x2: width, y2: height - bottom });
  el('line', { class: 'axis', x1: left, y1: 4, x2: left, y2: height - bottom });
  if (!scored.length) {
    el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'no gated training yet');
    return;
  }
  const values = scored.map((r) => r[figure]);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.1, 1e-3);
  const [min, max] = [lo - pad, hi + pad];
  const x = (i) => left + 8 + ((width - left - 16) * i) / Math.max(1, scored.length - 1);
  const y = (v) => height - bottom - ((height - bottom - 6) * (v - min)) / (max - min);
  el('text', { x: left - 4, y: 12, 'text-anchor': 'end' }, max.toFixed(3));
  el('text', { x: left - 4, y: height - bottom, 'text-anchor': 'end' }, min.toFixed(3));
  el('path', { class: 'line gate', d: scored.map((r, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(r[figure]).toFixed(1)}`).join('') });
  scored.forEach((r, i) => {
    const dot = el('circle', { class: `gate-dot ${r.decision}`, 'data-version': r.version, cx: x(i).toFixed(1), cy: y(r[figure]).toFixed(1), r: 4 });
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${r.version} (${r.decision}, ${new Date(r.decided_at).toLocaleString()}): ${r[figure].toFixed(4)}`;
    dot.append(title);
  });
}

const text = (id, value) => {
  document.getElementById(id).textContent = value;
};
const fixed = (v, digits) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const percent = (v) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);

const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');

/** The watcher's tiles: its last run (or the one running), what waits and when it looks next. */
function renderRetrain(retrain) {
  if (!retrain) {
    for (const id of ['retrain-duration', 'retrain-waiting', 'retrain-next', 'retrain-failures']) text(id, '–');
    text('retrain-last', 'no watcher');
    return;
  }
  const last = retrain.running
    ? `running since ${clock(retrain.last_run_at)}`
    : retrain.outcome
      ? `${retrain.outcome} ${clock(retrain.last_run_at)}`
      : 'none yet';
  text('retrain-last', last);
  text('retrain-duration', retrain.duration_seconds === null ? '–' : `${fixed(retrain.duration_seconds, 1)} s`);
  text('retrain-waiting', retrain.ratings_waiting === null ? '–' : String(retrain.ratings_waiting));
  text('retrain-next', clock(retrain.next_check_at));
  text('retrain-failures', retrain.consecutive_failures === null ? '–' : String(retrain.consecutive_failures));
}

const DRIFT_FEATURES = ['rating', 'genre', 'userActivity', 'newUsers'];

/** One cell of the drift table: the PSI and a meter against the threshold (over it: marked, when the feature is judged). */
function driftCell(psi, threshold, judged) {
  const cell = document.createElement('td');
  if (psi === undefined) {
    cell.textContent = '–';
    return cell;
  }
  const over = threshold !== null && psi >= threshold;
  const meter = document.createElement('meter');
  meter.min = 0;
  meter.max = Math.max(psi, 2 * (threshold ?? 0.25));
  meter.value = psi;
  // The rule of thumb: below 0.1 stable (green), up to the threshold moving, above it shifted (red).
  meter.optimum = 0;
  if (threshold !== null) {
    meter.low = Math.min(0.1, threshold);
    meter.high = threshold;
  }
  const value = document.createElement('span');
  value.textContent = ` ${psi.toFixed(3)}${over && judged ? ' over' : ''}`;
  cell.append(meter, value);
  if (over && judged) cell.className = 'drifted';
  return cell;
}

/** The drift panel: PSI per feature for the last day and week, against the threshold. */
function renderDrift(drift) {
  const rows = document.getElementById('drift-rows');
  if (!drift) {
    rows.replaceChildren();
    text('drift-caption', 'not measured yet');
    return;
  }
  const count = (w) => drift.windows[w]?.ratings ?? 0;
  const state = drift.drifted ? `DRIFTED: ${drift.worst.feature} ${drift.worst.psi.toFixed(3)} (${drift.worst.window})` : 'within the threshold';
  text(
    'drift-caption',
    `threshold ${drift.threshold} on ${drift.judged.join(', ')} · ${state} · ${count('day')} / ${count('week')} ratings in the day / week · measured ${clock(drift.measured_at)}`,
  );
  rows.replaceChildren(
    ...DRIFT_FEATURES.map((feature) => {
      const row = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      const judged = drift.judged.includes(feature);
      name.textContent = judged ? feature : `${feature} (not judged)`;
      row.append(name, ...['day', 'week'].map((w) => driftCell(drift.windows[w]?.psi[feature], drift.threshold, judged)));
      return row;
    }),
  );
}

function render(summary) {
  const versions = summary.live_versions.map((v) => (summary.live_versions.length > 1 ? `${v.version} (${v.processes})` : v.version));
  text('live-version', versions.join(', ') || 'none');
  const last = points[points.length - 1];
  text('rps-now', fixed(last?.rps, 1));
  text('latency-now', last ? `${fixed(last.p50, 2)} / ${fixed(last.p99, 2)} ms` : '–');
  text('hit-now', `${percent(summary.online.recommended.hit_rate)} / ${percent(summary.online.other.hit_rate)}`);
  text('ratings-now', String(summary.ratings_received));
  text('answers-now', `${summary.fold_ins_served} / ${summary.cold_start_answers}`);
  text('errors-now', String(summary.requests.errors));
  renderRetrain(summary.retrain ?? null);
  drawGateChart(document.getElementById('chart-gate-rmse'), summary.gate ?? [], 'rmse');
  drawGateChart(document.getElementById('chart-gate-ndcg'), summary.gate ?? [], 'ndcg_at_k');
  renderDrift(summary.drift ?? null);
  renderExperiment(summary.experiment ?? null);
  drawChart(document.getElementById('chart-rps'), ['rps'], { format: (v) => v.toFixed(0) });
  drawChart(document.getElementById('chart-latency'), ['p50', 'p99'], { format: (v) => v.toFixed(1) });
  drawChart(document.getElementById('chart-hit'), ['recommended', 'other'], { max: 1, format: (v) => `${Math.round(v * 100)}%` });
}

async function poll() {
  try {
    const res = await fetch('/metrics/summary', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const summary = await res.json();
    if (previous) {
      points.push(pointBetween(previous, summary));
      if (points.length > KEEP) points.shift();
    }
    previous = summary;
    render(summary);
    text('status', `updated ${new Date(summary.at).toLocaleTimeString()}`);
  } catch (error) {
    text('status', `poll failed: ${error.message}`);
  } finally {
    setTimeout(poll, intervalSeconds * 1000);
  }
}

text('interval', String(intervalSeconds));
void poll();
