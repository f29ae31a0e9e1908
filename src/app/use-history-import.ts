import { useState } from 'react';
import { describeHistoryImport, type HistoryImportCount } from '../core/history-import.ts';
import type { HistoryRecord } from '../core/history-record.ts';
import { readHistoryImportFile } from './history-files.ts';

export type ImportRecords = (records: readonly HistoryRecord[]) => Promise<HistoryImportCount | null>;

export type HistoryImportStatus =
  | { kind: 'idle' }
  | { kind: 'reading'; fileName: string }
  | { kind: 'done'; message: string }
  | { kind: 'refused'; message: string };

/** Imports a chosen JSON export into history, and says how it went: how many were added and skipped, or why not. */
export function useHistoryImport(importRecords: ImportRecords) {
  const [status, setStatus] = useState<HistoryImportStatus>({ kind: 'idle' });

  const importFile = async (file: File): Promise<void> => {
    setStatus({ kind: 'reading', fileName: file.name });
    const reading = await readHistoryImportFile(file);
    if (!reading.ok) {
      setStatus({ kind: 'refused', message: reading.message });
      return;
    }
    const count = await importRecords(reading.records);
    // Null: history itself could not be updated, and its own problem line says why.
    setStatus(count ? { kind: 'done', message: describeHistoryImport(file.name, count) } : { kind: 'idle' });
  };

  return { status, importFile };
}
