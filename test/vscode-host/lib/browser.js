'use strict';
// Debian's Chromium driven by playwright-core (the main package's devDependency). Launched as a browser
// server so that we know its pid: Playwright already puts it in its own process group, and we kill that
// group ourselves as well, whatever path the run ends by.
const fs = require('node:fs');
const { chromium } = require('playwright-core');
const { stopGroup } = require('./processGroup');

const CHROMIUM = process.env.POLICYTRACE_CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium (Playwright gives it a fresh temporary profile); returns the connected browser. */
async function launchChromium({ timeoutMs = 60_000 } = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/ci/install-vscode-host.sh (apt package chromium)`);
  }
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false, // CI runs as root, where Chromium's sandbox cannot start
    args: CHROMIUM_ARGS,
    timeout: timeoutMs,
    handleSIGINT: false, // our own signal handlers stop everything in order
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const pid = server.process().pid;
  let browser;
  try {
    browser = await chromium.connect(server.wsEndpoint(), { timeout: timeoutMs });
  } catch (error) {
    await stopGroup(pid, 0);
    throw error;
  }
  return {
    browser,
    pid,
    async close() {
      // close() can hang on a wedged renderer: bound it, then kill the group regardless.
      await Promise.race([server.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
      await stopGroup(pid, 0);
    },
  };
}

module.exports = { launchChromium };
