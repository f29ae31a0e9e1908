import { checkHistoryImportSize, readHistoryExport, type HistoryImportReading } from '../core/history-import.ts';
import type { HistoryRecord } from '../core/history-record.ts';
import { exportHistoryJson, historyExportFileName, type HistoryExportFormat } from '../core/report-export.ts';
import { errorMessage } from '../core/error-facts.ts';

/* The files history goes out as (reports and the JSON export) and comes back in from (an import). */

/** All of history, or one record of it. */
export type HistoryExportScope = { kind: 'all'; records: readonly HistoryRecord[] } | { kind: 'one'; record: HistoryRecord };

export interface HistoryDownload {
  fileName: string;
  blob: Blob;
}

const MEDIA_TYPES: Record<HistoryExportFormat, string> = {
  html: 'text/html;charset=utf-8',
  zip: 'application/zip',
  json: 'application/json',
};

/**
 * The file of a report or export, named for what it holds and when it was made. The report writers (Markdown, zip,
 * HTML) load on the first report, not with the page.
 */
export async function buildHistoryDownload(format: HistoryExportFormat, scope: HistoryExportScope, exportedAt = new Date()): Promise<HistoryDownload> {
  const records = scope.kind === 'all' ? scope.records : [scope.record];
  const options = { exportedAt };
  const content =
    format === 'html'
      ? (await import('../core/report-html.ts')).exportHistoryHtml(records, options)
      : format === 'zip'
        ? (await import('../core/report-export-zip.ts')).exportHistoryMarkdownZip(records, options)
        : exportHistoryJson(records, options);
  return {
    fileName: historyExportFileName(format, exportedAt, scope.kind === 'one' ? scope.record : undefined),
    blob: new Blob([content], { type: MEDIA_TYPES[format] }),
  };
}

/** A file the user chose to import, read as a history export; its size is checked before it is read. */
export async function readHistoryImportFile(file: File): Promise<HistoryImportReading> {
  const sizeProblem = checkHistoryImportSize(file.name, file.size);
  if (sizeProblem) return { ok: false, message: sizeProblem };
  let text: string;
  try {
    text = await file.text();
  } catch (error) {
    return { ok: false, message: `${file.name} could not be read: ${errorMessage(error)}.` };
  }
  return readHistoryExport(file.name, text);
}
