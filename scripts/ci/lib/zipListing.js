'use strict';
// Lists a zip archive (a .vsix is one) from its central directory, with no dependency: the End Of Central
// Directory record gives where the directory starts; each entry there gives name and sizes.
const fs = require('node:fs');
const zlib = require('node:zlib');

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const EOCD_MIN_SIZE = 22;
const STORED = 0;
const DEFLATED = 8;
const MAX_COMMENT = 0xffff;

function findEndOfCentralDirectory(buffer, file) {
  const lowest = Math.max(0, buffer.length - EOCD_MIN_SIZE - MAX_COMMENT);
  for (let offset = buffer.length - EOCD_MIN_SIZE; offset >= lowest; offset--) {
    if (buffer.readUInt32LE(offset) === EOCD_SIGNATURE) return offset;
  }
  throw new Error(`${file}: not a zip archive (no end-of-central-directory record)`);
}

/** Returns [{ name, compressedSize, size, method, localHeaderOffset }] for every entry of the zip at `file`. */
function listZip(file) {
  return listEntries(fs.readFileSync(file), file);
}

function listEntries(buffer, file) {
  const eocd = findEndOfCentralDirectory(buffer, file);
  const entryCount = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  if (entryCount === 0xffff || offset === 0xffffffff) throw new Error(`${file}: zip64 archives are not supported`);
  const entries = [];
  for (let i = 0; i < entryCount; i++) {
    if (offset + 46 > buffer.length || buffer.readUInt32LE(offset) !== CENTRAL_ENTRY_SIGNATURE) {
      throw new Error(`${file}: corrupt central directory at entry ${i} (byte ${offset})`);
    }
    const method = buffer.readUInt16LE(offset + 10);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const localHeaderOffset = buffer.readUInt32LE(offset + 42);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, compressedSize, size, method, localHeaderOffset });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of the entry `name` (stored or deflated, the two methods vsce writes). */
function readZipEntry(file, name) {
  const buffer = fs.readFileSync(file);
  const entry = listEntries(buffer, file).find((e) => e.name === name);
  if (!entry) throw new Error(`${file}: no entry ${name}`);
  const header = entry.localHeaderOffset;
  if (buffer.readUInt32LE(header) !== LOCAL_HEADER_SIGNATURE) throw new Error(`${file}: corrupt local header for ${name}`);
  const start = header + 30 + buffer.readUInt16LE(header + 26) + buffer.readUInt16LE(header + 28);
  const data = buffer.subarray(start, start + entry.compressedSize);
  if (entry.method === STORED) return Buffer.from(data);
  if (entry.method === DEFLATED) return zlib.inflateRawSync(data);
  throw new Error(`${file}: ${name} uses unsupported compression method ${entry.method}`);
}

module.exports = { listZip, readZipEntry };
