import * as v from 'valibot';
import { HISTORY_SCHEMA_VERSION, HistoryImageSchema, HistoryRecordSchema, type HistoryRecord } from './history-record-schema.ts';
import { safeFileStem } from './report-export-images.ts';

/*
 * The JSON export of history, for people outside the app. Each record goes through its schema, which keeps only
 * the fields it names, in its order, so nothing a record happens to carry at run time (a key, a header, a full
 * endpoint URL) can reach a file; tests put such values in and look for them in the output. The model-sized copy
 * of the image stays home: the export carries the thumbnail.
 */
const ExportedRecordSchema = v.object({ ...HistoryRecordSchema.entries, image: v.omit(HistoryImageSchema, ['modelImageDataUrl']) });

export const HISTORY_EXPORT_FORMAT = 'vlmguard-history';

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

export type HistoryExportFormat = 'html' | 'zip' | 'json';

/**
 * A download's file name, with safe characters only: for all of history `vlmguard-report-<stamp>.html|zip` or
 * `vlmguard-history-<stamp>.json` (the file Import reads); for one record
 * `vlmguard-case-<first words of its prompt>-<stamp>.<format>`. The stamp is the export time, e.g.
 * `2026-11-28T21-46-03Z`.
 */
export function historyExportFileName(format: HistoryExportFormat, exportedAt: Date, record?: HistoryRecord): string {
  const stamp = exportedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  if (record) return `vlmguard-case-${caseSlug(record)}-${stamp}.${format}`;
  return `vlmguard-${format === 'json' ? 'history' : 'report'}-${stamp}.${format}`;
}

/** The prompt's first few words, else the record's id. */
function caseSlug(record: HistoryRecord): string {
  const firstWords = record.prompt.trim().split(/\s+/).slice(0, 5).join(' ');
  return safeFileStem(firstWords, safeFileStem(record.id, 'record', 12), 32);
}
