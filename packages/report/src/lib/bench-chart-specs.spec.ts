import { trainMemorySpec, trainTimeSpec, type ScaleRow } from './bench-chart-specs.js';
import { renderSpecToSvg } from './render-svg.js';

/** The text of every <text> element of an SVG, decoded. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&#39;|&apos;/g, "'")
      .replace(/&amp;/g, '&')
      .trim(),
  );

const rows: ScaleRow[] = [
  { system: 'ours', series: 'ours: whole stage', ratings: 100_836, value: 9.6, label: '9.60 s' },
  { system: 'ours', series: 'ours: whole stage', ratings: 20_000_263, value: 86.4, label: '86.4 s' },
  { system: 'peer', series: 'peer: fit alone', ratings: 80_669, value: 0.91, label: '0.91 s (k 100, 20 epochs)' },
  { system: 'peer', series: 'peer: fit alone', ratings: 20_000_263, value: 229, label: '~229.0 s (k 64, 20 epochs)' },
];

describe('train time and memory by size', () => {
  it('when runs span three orders of magnitude, then both axes are log scales with powers of ten, and each point and series is named', async () => {
    const drawn = texts(await renderSpecToSvg(trainTimeSpec(rows)));
    for (const label of rows.map((r) => r.label)) expect(drawn).toContain(label);
    expect(drawn).toEqual(expect.arrayContaining(['ours: whole stage', 'peer: fit alone', 'What was timed']));
    expect(drawn).toEqual(expect.arrayContaining(['Wall seconds (log scale, lower is better)', 'Ratings (log scale)']));
    // A log axis ticks at powers of ten; a linear one over 0.91-229 s would tick at 50, 100, 150, 200.
    expect(drawn).toEqual(expect.arrayContaining(['1', '10', '100', '100k', '1M', '10M']));
    expect(drawn).not.toContain('150');
  });

  it('when memory is drawn, then its axis says GiB and the points keep their labels', async () => {
    const drawn = texts(
      await renderSpecToSvg(
        trainMemorySpec([
          { system: 'ours', series: 'ours: largest process of the stage', ratings: 100_836, value: 0.51, label: '0.51 GiB' },
          { system: 'peer', series: 'peer: whole process', ratings: 20_000_263, value: 7.2, label: '7.2 GiB' },
        ]),
      ),
    );
    expect(drawn).toEqual(expect.arrayContaining(['Peak RSS, GiB (log scale)', '0.51 GiB', '7.2 GiB', 'peer: whole process']));
  });
});
