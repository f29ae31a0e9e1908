import { strToU8, zipSync, type Zippable } from 'fflate';
import type { HistoryRecord } from './history-record.ts';
import { exportHistoryMarkdown } from './report-export-markdown.ts';
import { dataUrlBytes, reportImageOf } from './report-export-images.ts';

export const MARKDOWN_REPORT_PATH = 'report.md';

/**
 * The Markdown report as a zip: `report.md`, and beside it the picture of each case under `images/`, where the
 * Markdown links it, so any Markdown viewer shows them and the text stays readable in an editor.
 */
export function exportHistoryMarkdownZip(records: readonly HistoryRecord[], options: { exportedAt?: Date; title?: string } = {}): Uint8Array<ArrayBuffer> {
  const exportedAt = options.exportedAt ?? new Date();
  const files: Zippable = {
    [MARKDOWN_REPORT_PATH]: strToU8(exportHistoryMarkdown(records, { ...options, exportedAt, images: 'files' })),
  };
  records.forEach((record, index) => {
    const picture = reportImageOf(record, index + 1);
    // JPEG and PNG are compressed already: stored as they are.
    if (picture) files[picture.path] = [dataUrlBytes(picture.dataUrl), { level: 0 }];
  });
  // The export time as every entry's time, so one export is one byte sequence.
  return zipSync(files, { level: 6, mtime: exportedAt });
}
