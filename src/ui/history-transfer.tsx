import { useRef, useState } from 'react';
import { buildHistoryDownload, type HistoryExportScope } from '../app/history-files.ts';
import { useHistoryImport, type ImportRecords } from '../app/use-history-import.ts';
import { errorMessage } from '../core/error-facts.ts';
import type { HistoryExportFormat } from '../core/report-export.ts';
import { downloadFile } from './download.ts';

const EXPORTS: ReadonlyArray<{ format: HistoryExportFormat; label: string }> = [
  { format: 'html', label: 'Report (HTML)' },
  { format: 'zip', label: 'Markdown + images (zip)' },
  { format: 'json', label: 'JSON' },
];

/**
 * The three downloads of all of history or of one record, as a labelled group of buttons. A report whose writer
 * cannot load (the site was updated, or went offline before it was cached) says so; history is untouched.
 */
export function ExportButtons({ label, scope }: { label: string; scope: HistoryExportScope }) {
  const [problem, setProblem] = useState<string | null>(null);
  const save = async (format: HistoryExportFormat, buttonLabel: string) => {
    setProblem(null);
    try {
      const { fileName, blob } = await buildHistoryDownload(format, scope);
      downloadFile(fileName, blob);
    } catch (error) {
      setProblem(`${buttonLabel} could not be made: ${errorMessage(error)}. Your history is unchanged; reload the page and try again.`);
    }
  };
  return (
    <div role="group" aria-label={label} className="actions export-actions">
      <span className="muted" aria-hidden="true">
        {label}:
      </span>
      {EXPORTS.map(({ format, label: buttonLabel }) => (
        <button key={format} type="button" onClick={() => void save(format, buttonLabel)}>
          {buttonLabel}
        </button>
      ))}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </div>
  );
}

/** "Import…": reads a JSON export back into history, and says what it added or why it refused the file. */
export function ImportControl({ onImport }: { onImport: ImportRecords }) {
  const input = useRef<HTMLInputElement>(null);
  const { status, importFile } = useHistoryImport(onImport);
  return (
    <div className="history-import">
      <button type="button" onClick={() => input.current?.click()} disabled={status.kind === 'reading'}>
        Import…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        aria-label="History export to import"
        hidden
        onChange={(event) => {
          const file = event.target.files?.[0];
          // Cleared, so that choosing the same file again imports it again.
          event.target.value = '';
          if (file) void importFile(file);
        }}
      />
      <p role="status" className="history-import-status">
        {status.kind === 'reading' && `Reading ${status.fileName}…`}
        {status.kind === 'done' && status.message}
      </p>
      {status.kind === 'refused' && (
        <p role="alert" className="error history-import-error">
          {status.message}
        </p>
      )}
    </div>
  );
}
