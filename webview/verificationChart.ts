/** Strength vs lines removed, flagged vs random, as inline SVG made with DOM APIs (no chart library). */
import type { Verification } from '../extension/engine/report/schema';
import { svg } from './dom';

const WIDTH = 360;
const HEIGHT = 170;
const PAD = { left: 44, right: 12, top: 14, bottom: 34 };

export function verificationChart(verification: Verification): SVGSVGElement | null {
  const curve = verification.curve;
  if (curve.length === 0) return null;
  const xMax = Math.max(1, ...curve.map((p) => p.removed));
  const ys = curve.flatMap((p) => [p.flaggedStrength, p.randomStrength]);
  const yMin = Math.min(0, ...ys);
  const yMax = Math.max(...ys, yMin + 1e-9);
  const x = (v: number): number => PAD.left + (v / xMax) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number): number => HEIGHT - PAD.bottom - ((v - yMin) / (yMax - yMin)) * (HEIGHT - PAD.top - PAD.bottom);
  const points = (key: 'flaggedStrength' | 'randomStrength'): string => curve.map((p) => `${x(p.removed).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-label': 'Policy strength against the number of training lines removed' });
  chart.append(
    svg('line', { x1: PAD.left, y1: HEIGHT - PAD.bottom, x2: WIDTH - PAD.right, y2: HEIGHT - PAD.bottom, class: 'axis' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: HEIGHT - PAD.bottom, class: 'axis' }),
    svg('text', { x: PAD.left - 4, y: y(yMax) + 4, class: 'tick', 'text-anchor': 'end' }, yMax.toFixed(2)),
    svg('text', { x: PAD.left - 4, y: y(yMin) + 4, class: 'tick', 'text-anchor': 'end' }, yMin.toFixed(2)),
    svg('text', { x: x(xMax), y: HEIGHT - PAD.bottom + 14, class: 'tick', 'text-anchor': 'end' }, String(xMax)),
    svg('text', { x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT - 4, class: 'tick', 'text-anchor': 'middle' }, 'lines removed'),
    svg('polyline', { points: points('randomStrength'), class: 'series random' }),
    svg('polyline', { points: points('flaggedStrength'), class: 'series flagged' }),
  );
  for (const p of curve) chart.append(svg('circle', { cx: x(p.removed), cy: y(p.flaggedStrength), r: 2.5, class: 'dot flagged' }, svg('title', {}, `${p.removed} flagged lines removed: strength ${p.flaggedStrength.toFixed(3)} nats`)));
  return chart;
}
