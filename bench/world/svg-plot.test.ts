/** The SVG chart: well-formed, one polyline per unbroken run of values, escaped text, nice ticks. */
import t from 'tap';
import { niceStep, renderPlot } from './svg-plot.ts';

t.test('renders panels and breaks lines at null', async (t) => {
  const svg = renderPlot('a <world> run', [0, 2, 4, 6], [
    { title: 'throughput', unit: 'msg/s', lines: [{ name: 'delivered', colour: '#07c', values: [1, 5, null, 3] }] },
    { title: 'latency', unit: 'ms', lines: [{ name: 'p99', colour: '#c30', values: [10, 20, 30, 40] }] },
  ]);
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.match(svg, /a &lt;world&gt; run/);
  t.equal(svg.match(/<polyline/g)?.length, 3, 'two segments + one line');
  t.ok(svg.trim().endsWith('</svg>'));
});

t.test('nice steps', async (t) => {
  t.equal(niceStep(100), 20);
  t.equal(niceStep(7), 2);
  t.equal(niceStep(0), 1);
});
