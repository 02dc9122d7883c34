#!/usr/bin/env node
'use strict';
// End-to-end UI test of the packaged extension in a real VS Code (code-server 4.139.1 + Debian Chromium):
// package linux-x64 .vsix → install it offline → open a copy of demo/ → "PolicyTrace: Run Audit" from the
// command palette → read the policies in the panel's webview → click a training line and check the editor
// shows that file at that line → check a CodeLens and a Problems entry → screenshots of the panel in light,
// dark and high-contrast themes and of the CodeLens on the dataset.
//
//   node test/e2e/run.js [--vsix file.vsix] [--update-docs]
// Screenshots and logs go to artifacts/e2e/; --update-docs also copies the screenshots to docs/screenshots/.
// POLICYTRACE_E2E_TIMEOUT_MS (default 600000) bounds the whole run; every process group is killed at the end.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const host = require('../vscode-host/lib/codeServer');
const { launchChromium } = require('../vscode-host/lib/browser');
const { killGroupNow } = require('../vscode-host/lib/processGroup');
const wb = require('./workbench');

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.join(ROOT, 'demo');
const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');
const DOCS_SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const TIMEOUT_MS = Number(process.env.POLICYTRACE_E2E_TIMEOUT_MS || 600_000);
const AUDIT_TIMEOUT_MS = 300_000;
const UI_TIMEOUT_MS = 60_000;
// `setting` is the theme id for settings.json; `label` is what the 1.139 theme picker shows.
const THEMES = [
  { name: 'light', setting: 'Default Light Modern', label: 'Light Modern', kind: 'vs' },
  { name: 'dark', setting: 'Default Dark Modern', label: 'Dark Modern', kind: 'vs-dark' },
  { name: 'high-contrast', setting: 'Default High Contrast', label: 'Dark High Contrast', kind: 'hc-black' },
];

const running = { server: undefined, chrome: undefined, stateRoot: undefined };
const pageErrors = [];
const started = Date.now();
const step = (message) => console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

function parseArgs(argv) {
  const vsixFlag = argv.indexOf('--vsix');
  return { vsix: vsixFlag === -1 ? undefined : path.resolve(argv[vsixFlag + 1]), updateDocs: argv.includes('--update-docs') };
}

function packageVsix() {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'ci', 'package-vsix.js'), '--target', 'linux-x64'], { cwd: ROOT, stdio: 'inherit' });
  const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return path.join(ROOT, 'artifacts', 'vsix', `${name}-linux-x64-${version}.vsix`);
}

/** A throwaway copy of the demo, so the audit's cache and outputs never land in the repository. */
function copyDemo(target) {
  fs.cpSync(DEMO, target, {
    recursive: true,
    filter: (source) => !/(^|[/\\])(report\.[^/\\]*|\.policytrace-cache)$/.test(path.relative(DEMO, source)),
  });
  return target;
}

async function screenshot(page, name) {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, timeout: 20_000 });
  step(`screenshot ${path.relative(ROOT, file)}`);
}

/** Waits for the panel's policy cards; fails at once when PolicyTrace reports an error instead. */
async function readPolicies(page, panel) {
  const cards = panel.locator('.card[data-policy-id]');
  const outcome = await wb.poll(
    async () => ({ cards: await cards.count().catch(() => 0), errors: await wb.errorNotifications(page) }),
    (o) => o.cards > 0 || o.errors.length > 0,
    AUDIT_TIMEOUT_MS,
    1000,
  );
  assert.ok(outcome.cards > 0, outcome.errors.length > 0 ? `PolicyTrace reported: ${outcome.errors.join(' | ')}` : `no policy cards after ${AUDIT_TIMEOUT_MS} ms`);
  const policies = [];
  for (const card of await cards.all()) {
    const label = (await card.locator('.policy-label').first().innerText()).trim();
    const rule = (await card.locator('code.rule').first().innerText()).trim();
    policies.push({ id: await card.getAttribute('data-policy-id'), label, rule });
  }
  return policies;
}

async function checkOpenSource(page, panel) {
  const line = panel.locator('.card button.line[data-line]').first();
  await line.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const file = await line.getAttribute('data-file');
  const lineNumber = Number(await line.getAttribute('data-line'));
  step(`clicking training line ${path.basename(file)}:${lineNumber} in the panel`);
  await line.click();
  // The tab renders name and extension in separate spans, so innerText may hold a line break between them.
  const tabText = () => page.locator(wb.SELECTORS.activeTab).innerText().then((t) => t.replace(/\s+/g, ''), () => '');
  const tab = await wb.poll(tabText, (t) => t.includes(path.basename(file)), UI_TIMEOUT_MS);
  assert.ok(tab.includes(path.basename(file)), `active editor tab is "${tab}", expected ${path.basename(file)}`);
  const cursor = await wb.poll(() => wb.cursorLine(page).catch(() => -1), (n) => n === lineNumber, UI_TIMEOUT_MS);
  assert.equal(cursor, lineNumber, `editor cursor is on line ${cursor}, expected ${lineNumber}`);
  step(`editor shows ${path.basename(file)} at Ln ${cursor}`);
}

async function checkCodeLens(page) {
  const lenses = page.locator(wb.SELECTORS.codeLens);
  // Blank decorations are the line-height placeholders VS Code keeps while lenses resolve: wait for text.
  const texts = await wb.poll(() => lenses.allInnerTexts().then((all) => all.map((t) => t.trim()).filter(Boolean)), (all) => all.length > 0, UI_TIMEOUT_MS);
  assert.ok(texts.length > 0, 'no CodeLens with text on the dataset file');
  step(`CodeLens on the dataset: ${texts.length} with text, e.g. "${texts[0]}"`);
  await screenshot(page, 'codelens-dataset.png');
}

async function checkProblems(page) {
  await wb.runCommand(page, 'View: Focus Problems');
  const rows = page.locator(wb.SELECTORS.problemsRow);
  const texts = await wb.poll(() => rows.allInnerTexts(), (all) => all.some((t) => /PolicyTrace|PT\d{3}/.test(t)), UI_TIMEOUT_MS);
  const entry = texts.find((t) => /PolicyTrace|PT\d{3}/.test(t));
  assert.ok(entry, `no PolicyTrace entry in Problems (rows: ${JSON.stringify(texts.slice(0, 5))})`);
  step(`Problems entry: "${entry.replace(/\s+/g, ' ').slice(0, 160)}"`);
  await screenshot(page, 'problems.png');
}

/** One screenshot of the panel per theme, switched through the theme picker (the panel keeps its results). */
async function panelScreenshots(page) {
  await wb.runCommand(page, 'View: Toggle Panel Visibility'); // hide Problems so the panel gets the height
  for (const theme of THEMES) {
    await wb.setColorTheme(page, theme.label);
    const kind = await wb.poll(() => wb.themeKind(page), (k) => k === theme.kind, UI_TIMEOUT_MS);
    assert.equal(kind, theme.kind, `theme "${theme.label}" did not apply`);
    await wb.runCommand(page, 'PolicyTrace: Open Policy Panel');
    await wb.panelFrame(page).locator('.card[data-policy-id]').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.waitForTimeout(1000); // let the webview finish painting with the theme's --vscode-* colours
    await screenshot(page, `panel-${theme.name}.png`);
  }
}

async function scenario(options) {
  if (!fs.existsSync(path.join(DEMO, 'policytrace.json'))) {
    console.log(`[e2e] SKIPPED: no demo workspace at ${path.relative(ROOT, DEMO)}/policytrace.json (the lead provides it)`);
    return;
  }
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const vsix = options.vsix || packageVsix();
  step(`vsix ${path.relative(ROOT, vsix)} (${(fs.statSync(vsix).size / 1024 / 1024).toFixed(1)} MB)`);

  running.stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-e2e-'));
  const dirs = host.makeStateDirs(path.join(running.stateRoot, 'state'));
  const workspace = copyDemo(path.join(running.stateRoot, 'demo'));
  host.writeUserSettings(dirs, { 'workbench.colorTheme': THEMES[0].setting });
  step(await host.installExtension(dirs, vsix));

  running.server = await host.startCodeServer({ dirs, logFile: path.join(ARTIFACTS, 'code-server.log'), smokeTestDriver: false });
  running.chrome = await launchChromium();
  const page = await running.chrome.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(`console.error: ${m.text()}`));
  await page.goto(host.workbenchUrl(running.server, { folder: workspace }), { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await wb.waitForWorkbench(page, 120_000);
  step('workbench ready');

  await wb.runCommand(page, 'PolicyTrace: Run Audit');
  step('running the audit on the demo');
  const policies = await readPolicies(page, wb.panelFrame(page));
  assert.ok(policies.length > 0, 'the panel shows no policies');
  step(`panel shows ${policies.length} policies: ${policies.slice(0, 5).map((p) => `${p.label} ${p.rule}`).join(' | ')}`);
  await screenshot(page, 'panel-after-audit.png');

  await checkOpenSource(page, wb.panelFrame(page));
  await checkCodeLens(page);
  await checkProblems(page);
  await panelScreenshots(page);

  if (options.updateDocs) {
    fs.mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    for (const name of ['panel-light.png', 'panel-dark.png', 'panel-high-contrast.png', 'codelens-dataset.png']) {
      fs.copyFileSync(path.join(ARTIFACTS, name), path.join(DOCS_SCREENSHOTS, name));
    }
    step(`copied screenshots to ${path.relative(ROOT, DOCS_SCREENSHOTS)}/`);
  }
}

async function stopAll() {
  const { server, chrome, stateRoot } = running;
  running.server = running.chrome = running.stateRoot = undefined;
  if (chrome) await chrome.close();
  if (server) await server.stop();
  if (stateRoot) fs.rmSync(stateRoot, { recursive: true, force: true });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS);
  });
  const run = scenario(options).then(() => 'passed');
  run.catch(() => undefined);
  let code = 0;
  try {
    const outcome = await Promise.race([run, timedOut]);
    if (outcome === 'timeout') {
      console.error(`[e2e] FAILED: timed out after ${TIMEOUT_MS} ms`);
      code = 124;
    } else {
      step('PASSED');
    }
  } catch (error) {
    console.error(`[e2e] FAILED: ${error.stack || error.message}`);
    code = 1;
  }
  clearTimeout(timer);
  if (code !== 0 && running.chrome) {
    const pages = running.chrome.browser.contexts().flatMap((c) => c.pages());
    if (pages[0]) await pages[0].screenshot({ path: path.join(ARTIFACTS, 'failure.png'), timeout: 10_000 }).catch(() => undefined);
  }
  if (fs.existsSync(ARTIFACTS)) fs.writeFileSync(path.join(ARTIFACTS, 'page-errors.log'), pageErrors.join('\n'));
  await stopAll();
  return code;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => stopAll().finally(() => process.exit(130)));
}
process.on('exit', () => {
  killGroupNow(running.chrome && running.chrome.pid);
  killGroupNow(running.server && running.server.pid);
});

main().then((code) => process.exit(code));
