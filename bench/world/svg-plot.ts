/**
 * A plain SVG line chart, pure: stacked panels sharing one time axis, each with its own y axis and
 * named series (a null value breaks the line). Used for the world run's throughput and latency plot;
 * no external plotting service. Exports renderPlot, Panel.
 */

export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly { readonly name: string; readonly colour: string; readonly values: readonly (number | null)[] }[];
}

const WIDTH = 900;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 70, right: 160, top: 40, bottom: 40 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
}

/** 0, 1, 2, 5 × 10^n steps so that about 5 ticks cover [0, max]. */
export function niceStep(max: number): number {
  const raw = max / 5 || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

function panelSvg(panel: Panel, times: readonly number[], top: number, tMax: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.bottom;
  const yMaxRaw = Math.max(1, ...panel.lines.flatMap((l) => l.values.filter((v): v is number => v !== null)));
  const step = niceStep(yMaxRaw);
  const yMax = Math.ceil(yMaxRaw / step) * step;
  const x = (t: number) => MARGIN.left + (t / (tMax || 1)) * plotW;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const parts: string[] = [`<text x="${MARGIN.left}" y="${top - 8}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${Number(v.toPrecision(6))}</text>`);
  }
  parts.push(`<text x="14" y="${top + plotH / 2}" font-size="11" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${escapeXml(panel.unit)}</text>`);
  panel.lines.forEach((line, index) => {
    const segments: string[] = [];
    let current: string[] = [];
    line.values.forEach((v, i) => {
      if (v === null) {
        if (current.length) segments.push(current.join(' '));
        current = [];
      } else current.push(`${x(times[i] ?? 0).toFixed(1)},${y(v).toFixed(1)}`);
    });
    if (current.length) segments.push(current.join(' '));
    for (const points of segments) parts.push(`<polyline fill="none" stroke="${line.colour}" stroke-width="1.6" points="${points}"/>`);
    const ly = top + 14 + index * 18;
    parts.push(`<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 32}" y1="${ly}" y2="${ly}" stroke="${line.colour}" stroke-width="2"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right + 38}" y="${ly + 4}" font-size="11">${escapeXml(line.name)}</text>`);
  });
  parts.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  return parts.join('\n');
}

export function renderPlot(title: string, times: readonly number[], panels: readonly Panel[]): string {
  const tMax = Math.max(1, ...times);
  const height = MARGIN.top + panels.length * (PANEL_HEIGHT + MARGIN.top) + 10;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const tStep = niceStep(tMax);
  const body = panels.map((p, i) => panelSvg(p, times, MARGIN.top + 20 + i * (PANEL_HEIGHT + MARGIN.top), tMax));
  const axisY = MARGIN.top + 20 + (panels.length - 1) * (PANEL_HEIGHT + MARGIN.top) + PANEL_HEIGHT - MARGIN.bottom;
  const ticks: string[] = [];
  for (let t = 0; t <= tMax + 1e-9; t += tStep) {
    const tx = MARGIN.left + (t / tMax) * plotW;
    ticks.push(`<text x="${tx}" y="${axisY + 16}" font-size="11" text-anchor="middle">${Number(t.toPrecision(6))}</text>`);
  }
  ticks.push(`<text x="${MARGIN.left + plotW / 2}" y="${axisY + 32}" font-size="11" text-anchor="middle">seconds since the first message</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    ...ticks,
    '</svg>',
    '',
  ].join('\n');
}
