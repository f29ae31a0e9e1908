import * as v from 'valibot';
import { HISTORY_SCHEMA_VERSION, HistoryImageSchema, HistoryRecordSchema, type HistoryRecord } from './history-record-schema.ts';

/*
 * The JSON export of history, for people outside the app. Each record goes through its schema, which keeps only
 * the fields it names, in its order, so nothing a record happens to carry at run time (a key, a header, a full
 * endpoint URL) can reach a file; tests put such values in and look for them in the output. The model-sized copy
 * of the image stays home: the export carries the thumbnail.
 */
const ExportedRecordSchema = v.object({ ...HistoryRecordSchema.entries, image: v.omit(HistoryImageSchema, ['modelImageDataUrl']) });

const HISTORY_EXPORT_FORMAT = 'vlmguard-history';

interface HistoryExportFile {
  format: typeof HISTORY_EXPORT_FORMAT;
  schemaVersion: typeof HISTORY_SCHEMA_VERSION;
  exportedAt: string;
  records: HistoryRecord[];
}

/** Pretty JSON (2-space indent, fixed key order, final newline) of one record or many, in the given order. */
export function exportHistoryJson(records: readonly HistoryRecord[], options: { exportedAt?: Date } = {}): string {
  const file: HistoryExportFile = {
    format: HISTORY_EXPORT_FORMAT,
    schemaVersion: HISTORY_SCHEMA_VERSION,
    exportedAt: (options.exportedAt ?? new Date()).toISOString(),
    records: records.map((record) => v.parse(ExportedRecordSchema, record)),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** A file name for a download, e.g. `vlmguard-history-2026-11-28T21-46-03Z.md`. */
export function historyExportFileName(extension: 'json' | 'md', exportedAt: Date): string {
  const stamp = exportedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  return `vlmguard-history-${stamp}.${extension}`;
}
