/**
 * The audit report as one standalone HTML file. It carries a CSP that forbids every script and every
 * remote load, and all text from data goes through `escapeHtml(displaySnippet(...))`, so no tag or
 * attribute from a training line can become live. The verification chart is an inline SVG whose only
 * inputs are numbers.
 */
import { baseName, displaySnippet } from '../../shared/displayText';
import { formatNumber, formatShare, formatSigned, prettyRule } from '../../shared/scoreFormat';
import type { AttributedLine, AuditReport, PolicyAttribution, Verification } from './schema';
import type { RenderOptions } from './renderMarkdown';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Data text for HTML: visible, bounded, escaped. */
function t(text: string, limit = 160): string {
  return escapeHtml(displaySnippet(text, limit));
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}.snippet{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.ok{color:#1a7f37}.no{color:#cf222e}section{border-top:1px solid #d0d7de;margin-top:1.5rem}`;

function lineRows(lines: readonly AttributedLine[], limit: number, snippetLength: number): string {
  if (lines.length === 0) return '<p><em>none</em></p>';
  const rows = lines
    .slice(0, limit)
    .map(
      (line, i) =>
        `<tr><td class="num">${i + 1}</td><td>${t(`${baseName(line.file)}:${line.line}`, 120)}</td><td>${line.label === undefined ? '' : t(line.label, 40)}</td>` +
        `<td class="num">${escapeHtml(formatSigned(line.deltaAdherence))}</td><td class="num">${escapeHtml(formatSigned(line.deltaStrength))}</td>` +
        `<td class="snippet">${t(line.snippet, snippetLength)}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>#</th><th>line</th><th>label</th><th>Δ adherence</th><th>Δ strength</th><th>text</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** Strength vs lines removed, flagged vs random, as a static SVG (numbers only, no data strings). */
export function verificationSvg(verification: Verification): string {
  const width = 420;
  const height = 180;
  const pad = 32;
  const curve = verification.curve;
  if (curve.length === 0) return '';
  const xs = curve.map((p) => p.removed);
  const ys = curve.flatMap((p) => [p.flaggedStrength, p.randomStrength]);
  const xMax = Math.max(1, ...xs);
  const yMin = Math.min(0, ...ys);
  const yMax = Math.max(1e-9, ...ys);
  const x = (v: number): string => (pad + (v / xMax) * (width - 2 * pad)).toFixed(1);
  const y = (v: number): string => (height - pad - ((v - yMin) / (yMax - yMin || 1)) * (height - 2 * pad)).toFixed(1);
  const path = (key: 'flaggedStrength' | 'randomStrength'): string => curve.map((p) => `${x(p.removed)},${y(p[key])}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="policy strength against lines removed">
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#888"/>
<polyline fill="none" stroke="#cf222e" stroke-width="2" points="${path('flaggedStrength')}"/>
<polyline fill="none" stroke="#57606a" stroke-width="2" stroke-dasharray="4 3" points="${path('randomStrength')}"/>
<text x="${width - pad}" y="${height - 8}" text-anchor="end" font-size="11">lines removed (max ${xMax})</text>
<text x="${pad + 4}" y="${pad - 8}" font-size="11">strength (nats); red = flagged, grey = random</text></svg>`;
}

function attributionHtml(attribution: PolicyAttribution, limit: number, snippetLength: number): string {
  const parts: string[] = [];
  parts.push(`<p>${t(attribution.scales.deltaAdherence.explanation, 400)}</p>`);
  parts.push(`<h4>Top proponents</h4>${lineRows(attribution.proponents, limit, snippetLength)}`);
  parts.push(`<h4>Top opponents</h4>${lineRows(attribution.opponents, limit, snippetLength)}`);
  if (attribution.groups.length > 0) {
    const rows = attribution.groups
      .slice(0, 20)
      .map((g) => `<tr><td>${t(g.kind, 20)}</td><td>${t(g.name, 80)}</td><td class="num">${g.lines}</td><td class="num">${escapeHtml(formatSigned(g.deltaAdherence))}</td></tr>`)
      .join('\n');
    parts.push(`<h4>Groups</h4><table><thead><tr><th>kind</th><th>name</th><th>lines</th><th>Δ adherence</th></tr></thead><tbody>${rows}</tbody></table>`);
  }
  const v = attribution.verification;
  if (v) {
    parts.push(
      `<h4>Verification by retraining (k = ${v.k})</h4><p class="${v.verified ? 'ok' : 'no'}">${v.verified ? 'verified' : 'not verified'}: ${t(v.verdict, 400)}</p>` +
        `<p>Flagged removal: adherence ${escapeHtml(formatSigned(-v.adherenceDropFlagged))}; random removal (mean of ${v.random.length} seeds): ${escapeHtml(formatSigned(-v.adherenceDropRandomMean))}.</p>${verificationSvg(v)}`,
    );
  }
  return parts.join('\n');
}

export function renderHtmlReport(report: AuditReport, options: RenderOptions = {}): string {
  const limit = options.linesPerPolicy ?? 10;
  const snippetLength = options.snippetLength ?? 160;
  const body: string[] = ['<h1>PolicyTrace audit</h1>'];
  body.push(
    `<p>Created ${t(report.createdAt, 40)}. Model ${t(baseName(report.model.path), 200)} (${report.model.parameterCount} parameters; classes ${report.model.classes.map((c) => t(c, 40)).join(', ')}).</p>`,
  );
  const datasetItems = report.datasets.map((d) => `<li>${t(d.role, 10)}: ${t(baseName(d.file), 200)} — ${d.used} of ${d.records} records used, ${d.skipped} skipped</li>`);
  if (datasetItems.length > 0) body.push(`<ul>${datasetItems.join('')}</ul>`);
  const set = report.policies;
  if (!set || set.policies.length === 0) {
    body.push('<p>No policies were extracted.</p>');
  } else {
    body.push(`<h2>Policies</h2><p>Fidelity ${formatShare(set.fidelity)} (κ ${formatNumber(set.kappa, 2)}) on ${set.heldOutCount} held-out probes; default action ${t(set.defaultAction, 60)}.</p>`);
    const attributionById = new Map((report.attribution ?? []).map((a) => [a.policyId, a]));
    set.policies.forEach((policy, index) => {
      const m = policy.metrics;
      const attribution = attributionById.get(policy.id);
      body.push(
        `<section><h3>P${index + 1} — <code>${t(prettyRule(policy.rule), 300)}</code>${policy.origin === 'hypothesis' ? ' (hypothesis)' : ''}</h3>` +
          `<p>precision ${formatShare(m.precision)}, coverage ${formatShare(m.coverage)}, adherence ${formatShare(m.adherence)}, training labels ${formatShare(m.trainLabelPrecision)}, stability ${formatShare(m.stability)}, mean margin ${escapeHtml(formatNumber(m.meanMargin, 2))} nats</p>` +
          (attribution ? attributionHtml(attribution, limit, snippetLength) : '') +
          '</section>',
      );
    });
  }
  if (report.warnings.length > 0) body.push(`<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${t(w, 400)}</li>`).join('')}</ul>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>PolicyTrace audit</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}
