// The A/B experiment panel of the dashboard: the newest experiment's figures per arm from
// /metrics/summary's `experiment` (answers, fold-ins, latency, online hit rate) and the difference in
// hit rate (challenger - control) with its 95% interval. Built with DOM calls (no HTML strings).

const percent = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const ms = (s) => (s === null || s === undefined ? '–' : `${(s * 1000).toFixed(2)} ms`);

/** Renders `experiment` (null: none ran since the server started) into the section `#experiment`. */
export function renderExperiment(experiment) {
  const section = document.getElementById('experiment');
  if (!section) return;
  const body = section.querySelector('tbody');
  const note = section.querySelector('#experiment-difference');
  body.replaceChildren();
  if (!experiment) {
    section.querySelector('#experiment-title').textContent = 'A/B experiment: none since start';
    note.textContent = 'Start one with POST /admin/experiments or `reelrank experiments start VERSION --share S`.';
    return;
  }
  section.querySelector('#experiment-title').textContent = `A/B experiment ${experiment.experiment}`;
  for (const arm of experiment.arms) {
    const row = document.createElement('tr');
    const cells = [
      arm.arm,
      arm.version,
      String(arm.answers),
      String(arm.fold_ins),
      `${ms(arm.latency.mean_seconds)} / ${ms(arm.latency.p99_seconds)}`,
      `${arm.online.liked} / ${arm.online.ratings}`,
      percent(arm.online.hit_rate),
    ];
    for (const value of cells) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    body.append(row);
  }
  const d = experiment.hit_rate_difference;
  note.textContent = d
    ? `Hit rate, challenger − control: ${percent(d.estimate)} (${Math.round(d.confidence * 100)}% interval ${percent(d.low)} to ${percent(d.high)})` +
      (d.low > 0 ? ': the challenger is better' : d.high < 0 ? ': the challenger is worse' : ': no difference shown yet')
    : 'Hit rate difference: waiting for ratings of recommended movies in both arms.';
}
