'use strict';
const net = require('node:net');

/** Asks the OS for a free loopback TCP port (listen on port 0, read it back, release it). */
function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

module.exports = { freeLoopbackPort };
