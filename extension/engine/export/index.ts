/** Curated dataset export: copies without flagged records, weighted JSONL, and the exclusion list. */
export { exportCuratedCopy, exportWeightedJsonl, EXCLUSIONS_FILE, type FlaggedRecord, type ExportedFile, type CuratedExportResult } from './curatedExport';
export { removeRecords, type ByteRecord } from './recordRemoval';
export { planOutputs, canonicalPath } from './outputPaths';
