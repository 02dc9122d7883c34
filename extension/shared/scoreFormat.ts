/**
 * Numbers shown to users always carry a sign and a readable scale. Pure formatting, shared by the
 * panel, CodeLens, hovers, tree and the exported reports so every view prints the same figure.
 */

const MINUS = '\u2212';

/** A signed number with a real minus sign: 3 decimals, or 2 significant digits in e-notation when tiny. */
export function formatSigned(value: number, decimals = 3): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = value > 0 ? '+' : value < 0 ? MINUS : '±';
  const magnitude = Math.abs(value);
  const threshold = 0.5 * 10 ** -decimals;
  const body = magnitude !== 0 && magnitude < threshold ? magnitude.toExponential(1) : magnitude.toFixed(decimals);
  return `${sign}${body}`;
}

/** A share in [0, 1] as a percentage with one decimal, e.g. 0.9712 → "97.1%". */
export function formatShare(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(1)}%`;
}

/** A plain number with a fixed number of decimals, or a dash when absent. */
export function formatNumber(value: number | undefined, decimals = 3): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(decimals).replace('-', MINUS);
}

/** Rule text with an arrow people read more easily than "->". */
export function prettyRule(rule: string): string {
  return rule.replace(/\s*->\s*/g, ' → ');
}
