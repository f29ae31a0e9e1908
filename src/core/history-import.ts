import * as v from 'valibot';
import { errorMessage } from './error-facts.ts';
import { HISTORY_SCHEMA_VERSION, describeIssue } from './history-record-schema.ts';
import { migrateHistoryRecord, type HistoryRecord } from './history-record.ts';
import { HISTORY_EXPORT_FORMAT } from './report-export.ts';
import { formatBytes } from './units.ts';

/*
 * Reading a JSON export of history back (what exportHistoryJson writes). The file is checked as a whole before
 * anything is imported: its size, that it is JSON, that it is a VLMGuard history export of a version this app
 * reads, and every record, through the same migration as stored ones. One bad record refuses the file, with a
 * message that names the record and the field.
 */

export const HISTORY_IMPORT_MAX_BYTES = 50 * 1024 * 1024;

const EXPORT_HINT = 'A history export is the file that the JSON button under History → Export all saves.';

export type HistoryImportReading = { ok: true; records: HistoryRecord[] } | { ok: false; message: string };

const FormatSchema = v.object({ format: v.literal(HISTORY_EXPORT_FORMAT) });

const ExportFileSchema = v.object(
  {
    schemaVersion: v.pipe(v.number('is not a version'), v.integer('is not a version'), v.minValue(1, 'is not a version')),
    records: v.array(v.unknown(), 'is not a list'),
  },
  'is missing',
);

/** Null when a file of this size can be read; otherwise why not, before any of it is read. */
export function checkHistoryImportSize(fileName: string, size: number): string | null {
  if (size === 0) return `${fileName} is empty. ${EXPORT_HINT}`;
  if (size > HISTORY_IMPORT_MAX_BYTES) {
    return `${fileName} is too large to import (${formatBytes(size)}; the limit is ${formatBytes(HISTORY_IMPORT_MAX_BYTES)}).`;
  }
  return null;
}

/** The records of an export, in the file's order, or a sentence that says what is wrong with the file. */
export function readHistoryExport(fileName: string, text: string): HistoryImportReading {
  const refuse = (message: string): HistoryImportReading => ({ ok: false, message });
  if (text.trim() === '') return refuse(`${fileName} is empty. ${EXPORT_HINT}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // A file that does not even start like JSON is some other kind of file (an image, a report).
    if (!/^\s*[[{]/.test(text)) return refuse(`${fileName} is not a VLMGuard history export: it is not JSON. ${EXPORT_HINT}`);
    return refuse(`${fileName} is not valid JSON (${errorMessage(error)}); was it cut short or edited?`);
  }
  if (!v.is(FormatSchema, value)) return refuse(`${fileName} is not a VLMGuard history export. ${EXPORT_HINT}`);
  const file = v.safeParse(ExportFileSchema, value, { abortEarly: true });
  if (!file.success) return refuse(`${fileName} is a damaged VLMGuard history export: ${describeIssue(file.issues)}.`);
  if (file.output.schemaVersion > HISTORY_SCHEMA_VERSION) {
    return refuse(
      `${fileName} was exported by a newer version of VLMGuard (schema ${file.output.schemaVersion}; this one reads up to ${HISTORY_SCHEMA_VERSION}). ` +
        'Open it in the newer version, or update this one.',
    );
  }
  const records: HistoryRecord[] = [];
  for (const [index, raw] of file.output.records.entries()) {
    const reading = migrateHistoryRecord(raw);
    if (!reading.ok) {
      const problem = reading.problem === 'newer' ? `was written by a newer version of VLMGuard (${reading.detail})` : reading.detail;
      return refuse(`${fileName}, record ${index + 1}: ${problem}. Nothing was imported.`);
    }
    records.push(reading.record);
  }
  return { ok: true, records };
}

/** The imported records whose id is not yet in history (nor earlier in the same file). */
export function newRecords(imported: readonly HistoryRecord[], presentIds: ReadonlySet<string>): HistoryRecord[] {
  const seen = new Set(presentIds);
  return imported.filter((record) => {
    if (seen.has(record.id)) return false;
    seen.add(record.id);
    return true;
  });
}

export interface HistoryImportCount {
  added: number;
  skipped: number;
}

/** "Imported 3 rewrites from x.json; 1 was already in history." */
export function describeHistoryImport(fileName: string, { added, skipped }: HistoryImportCount): string {
  const rewrites = (count: number) => `${count} rewrite${count === 1 ? '' : 's'}`;
  if (added === 0 && skipped === 0) return `${fileName} holds no rewrites; nothing was imported.`;
  if (added === 0) return `Nothing new in ${fileName}: its ${rewrites(skipped)} ${skipped === 1 ? 'is' : 'are'} already in history.`;
  const already = skipped === 0 ? '' : `; ${skipped} ${skipped === 1 ? 'was' : 'were'} already in history`;
  return `Imported ${rewrites(added)} from ${fileName}${already}.`;
}
