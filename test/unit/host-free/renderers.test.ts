import * as assert from 'node:assert/strict';
import { renderHtmlReport } from '../../../extension/engine/report/renderHtml';
import { renderMarkdownReport } from '../../../extension/engine/report/renderMarkdown';
import type { AuditReport } from '../../../extension/engine/report/schema';
import { displaySnippet } from '../../../extension/shared/displayText';
import { loadFixtureReport } from './loadFixture';

const HOSTILE = {
  script: '<script>alert(1)</script>',
  breakout: '"><img src=x onerror=alert(1)>',
  rtl: 'abc\u202Egnp.exe',
  zeroWidth: 'fr\u200Bee\u200D\u2060call\uFEFF',
  long: `start ${'x'.repeat(100 * 1024)} end`,
};

/** The fixture report with every hostile string planted in every data-derived field the renderers show. */
function hostileReport(): AuditReport {
  const report = loadFixtureReport();
  const attribution = report.attribution![0];
  const strings = Object.values(HOSTILE);
  attribution.proponents = strings.map((text, i) => ({ ...attribution.proponents[0], snippet: text, label: text, file: `/data/${text.slice(0, 40)}`, line: i + 1, endLine: i + 1 }));
  attribution.groups.push({ kind: 'concept', name: HOSTILE.breakout, lines: 1, deltaStrength: 0, deltaAdherence: -0.1 });
  attribution.verification!.verdict = HOSTILE.script;
  report.policies!.policies[0].rule = `contains("${HOSTILE.breakout}") -> ${HOSTILE.script}`;
  report.policies!.defaultAction = HOSTILE.rtl;
  report.model.classes = [HOSTILE.script, HOSTILE.zeroWidth];
  report.warnings.push(HOSTILE.long, HOSTILE.rtl);
  return report;
}

const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;

describe('HTML report renderer', () => {
  const html = renderHtmlReport(hostileReport());
  const tags = [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)];

  it('emits only the tags of its own template', () => {
    const allowed = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'h4', 'p', 'ul', 'li', 'section', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'em', 'svg', 'line', 'polyline', 'text']);
    const unexpected = tags.map((m) => m[1].toLowerCase()).filter((name) => !allowed.has(name));
    assert.deepEqual([...new Set(unexpected)], []);
  });
  it('contains no live script, image or event handler from data', () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    for (const [, , attributes] of tags) assert.doesNotMatch(attributes, /onerror|onload|javascript:/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/);
  });
  it('forbids scripts and remote loads with its CSP', () => {
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/);
  });
  it('makes RTL overrides and zero-width characters visible instead of emitting them', () => {
    assert.doesNotMatch(html, INVISIBLE);
    assert.match(html, /⟨U\+202E⟩/);
    assert.match(html, /⟨U\+200B⟩/);
  });
  it('truncates a 100 KB line for display and says so', () => {
    assert.ok(html.length < 60_000, `html is ${html.length} chars`);
    assert.match(html, /… \(\+\d+ chars\)/);
  });
});

describe('Markdown report renderer', () => {
  const markdown = renderMarkdownReport(hostileReport());
  it('escapes tags so no renderer sees HTML', () => {
    assert.doesNotMatch(markdown, /<script|<img/i);
    assert.match(markdown, /&lt;script&gt;alert\\\(1\\\)&lt;\/script&gt;/);
  });
  it('escapes link and image syntax and table pipes', () => {
    const report = loadFixtureReport();
    report.attribution![0].proponents[0].snippet = '![x](http://evil/x.png) [click](javascript:alert(1)) | cell';
    const text = renderMarkdownReport(report);
    assert.match(text, /\\!\\\[x\\\]\\\(http:\/\/evil\/x\\\.png\\\)/);
    assert.doesNotMatch(text, /[^\\]\[click\]/);
    assert.match(text, /\\\| cell/);
  });
  it('makes invisible characters visible and truncates long lines', () => {
    assert.doesNotMatch(markdown, INVISIBLE);
    assert.match(markdown, /⟨U\\\+202E⟩/);
    assert.ok(markdown.length < 40_000, `markdown is ${markdown.length} chars`);
  });
  it('lists every policy with its metrics and verification', () => {
    const text = renderMarkdownReport(loadFixtureReport());
    assert.match(text, /### P1 — contains\\\("free"\\\) → spam/);
    assert.match(text, /### P3 — .* \(hypothesis\)/);
    assert.match(text, /✅ verified/);
    assert.match(text, /precision 93\.0%, coverage 8\.0%/);
  });
});

describe('displaySnippet', () => {
  it('keeps ordinary text unchanged', () => {
    assert.equal(displaySnippet('Free entry: win £100!'), 'Free entry: win £100!');
  });
  it('never splits a surrogate pair when truncating', () => {
    const text = '😀'.repeat(10);
    assert.equal(displaySnippet(text, 3), '😀😀😀… (+7 chars)');
  });
  it('flattens newlines and reveals control characters', () => {
    assert.equal(displaySnippet('a\nb\u0007c'), 'a ⏎ b⟨U+0007⟩c');
  });
});
