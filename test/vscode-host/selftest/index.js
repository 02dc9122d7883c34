'use strict';
// The extension-tests module (@vscode/test-electron's extensionTestsPath): runs the self-test with mocha
// inside the extension host, like test/integration/suite/index.ts does for the real suite.
const path = require('node:path');
const Mocha = require('mocha');

function run() {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000 });
  mocha.addFile(path.join(__dirname, 'selftest.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} self-test(s) failed`)) : resolve()));
  });
}

module.exports = { run };
