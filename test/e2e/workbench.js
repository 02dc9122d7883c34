'use strict';
// Playwright helpers for the VS Code workbench served by code-server 4.139.1. The selectors are VS Code
// internals (see /work/shared/notes/real-vscode-in-ci.md), which is why the code-server version is pinned.

const SELECTORS = {
  explorerRow: '.explorer-folders-view .monaco-list-row',
  quickInput: '.quick-input-widget input',
  quickInputRow: '.quick-input-widget .quick-input-list .monaco-list-row',
  quickInputOption: '.quick-input-widget [role=option]',
  cursorPosition: '[id="status.editor.selection"]',
  activeTab: '.editor-group-container.active .tab.active',
  codeLens: '.codelens-decoration',
  problemsRow: '.markers-panel .monaco-list-row',
  errorNotification: '.notifications-toasts .notification-list-item:has(.codicon-error) .notification-list-item-message',
};

/** The texts of the error notification toasts on screen (a failed audit shows up here). */
async function errorNotifications(page) {
  return page.locator(SELECTORS.errorNotification).allInnerTexts().catch(() => []);
}

/** Waits for the workbench to show the opened folder in the Explorer. */
async function waitForWorkbench(page, timeoutMs) {
  await page.locator(SELECTORS.explorerRow).first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Runs a command from the command palette by its full title ("PolicyTrace: Run Audit"). Picks the row
 * whose label contains that title. The palette hides commands whose `enablement` is false, and context
 * keys such as isWorkspaceTrusted settle a few seconds after the workbench appears, so a missing row is
 * retried (palette closed and reopened) until `timeoutMs`.
 */
async function runCommand(page, title, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator(SELECTORS.quickInput);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator(SELECTORS.quickInputRow).filter({ hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 5_000 });
      await row.click();
      return;
    } catch (error) {
      const offered = await page.locator(SELECTORS.quickInputRow).allInnerTexts();
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        throw new Error(`command "${title}" not in the palette after ${timeoutMs} ms (offered: ${JSON.stringify(offered)})`);
      }
      await page.waitForTimeout(1_000);
    }
  }
}

/**
 * Switches the color theme through "Preferences: Color Theme" as a user would, by the label the picker
 * shows ("Dark Modern"). The web workbench does not pick up a rewritten settings.json live.
 */
async function setColorTheme(page, pickerLabel, timeoutMs = 30_000) {
  await runCommand(page, 'Preferences: Color Theme', timeoutMs);
  await page.locator(SELECTORS.quickInput).waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.type(pickerLabel);
  const option = page.locator(SELECTORS.quickInputOption).filter({ hasText: pickerLabel }).first();
  await option.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
}

/** The policy panel's content: the webview's outer iframe, then the active frame inside it. */
function panelFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** The cursor's 1-based line from the status bar ("Ln 5, Col 1" or "Ln 5, Col 9 (40 selected)"). */
async function cursorLine(page, timeoutMs = 10_000) {
  const item = page.locator(SELECTORS.cursorPosition);
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const text = await item.innerText();
  const match = /Ln (\d+)/.exec(text);
  if (!match) throw new Error(`status bar cursor position is "${text}"`);
  return Number(match[1]);
}

/** Polls `read` until `accept(value)` holds or the time is up; returns the last value either way. */
async function poll(read, accept, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

/** The workbench's theme kind from the body classes VS Code sets: 'vs', 'vs-dark', 'hc-black' or 'hc-light'. */
async function themeKind(page) {
  return page.evaluate(() => {
    const workbench = document.querySelector('.monaco-workbench');
    const classes = workbench ? [...workbench.classList] : [];
    return ['hc-black', 'hc-light', 'vs-dark', 'vs'].find((kind) => classes.includes(kind)) || 'unknown';
  });
}

module.exports = { SELECTORS, errorNotifications, waitForWorkbench, runCommand, setColorTheme, panelFrame, cursorLine, poll, themeKind };
