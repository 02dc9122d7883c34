// Regenerates extension/engine/model/schema/onnx-ml.json from the vendored onnx-ml.proto (ONNX 1.12,
// Apache-2.0, from Debian's python3-onnx). A JSON descriptor keeps protobufjs' parser out of the bundle
// and out of start-up. Run: node scripts/build-onnx-schema.js
const path = require('node:path');
const fs = require('node:fs');
const protobuf = require('protobufjs');
const dir = path.join(__dirname, '..', 'extension', 'engine', 'model', 'schema');
const root = protobuf.loadSync(path.join(dir, 'onnx-ml.proto'));
fs.writeFileSync(path.join(dir, 'onnx-ml.json'), JSON.stringify(root.toJSON({ keepComments: false })) + '\n');
console.log('wrote onnx-ml.json');
