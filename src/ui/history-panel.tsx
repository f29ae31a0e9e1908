import { Fragment } from 'react';
import type { ImportRecords } from '../app/use-history-import.ts';
import { ANALYSIS_LABELS, shownAnalysisSections } from '../core/analysis-sections.ts';
import { finalPrompt, type HistoryRecord } from '../core/history-record.ts';
import { outcomeTitle } from '../core/outcome-label.ts';
import { REASONING_EXPLANATIONS } from '../core/reasoning-mode.ts';
import { RISK_CATEGORIES } from '../core/rewrite-format.ts';
import { formatMs } from '../core/units.ts';
import './history-panel.css';
import { ExportButtons, ImportControl } from './history-transfer.tsx';

interface HistoryPanelProps {
  records: readonly HistoryRecord[];
  problem: string | null;
  /** Entries whose save failed; Retry saves them. */
  unsavedCount: number;
  /** The entry just deleted, while Undo can bring it back. */
  deleted: HistoryRecord | null;
  onReuse: (record: HistoryRecord) => void;
  onShow: (record: HistoryRecord) => void;
  onDelete: (record: HistoryRecord) => void;
  onUndoDelete: () => void;
  onRetry: () => void;
  /** Adds the records of an imported JSON export (useHistory().importRecords); without it there is no Import. */
  onImport: ImportRecords;
}

/** Every finished rewrite, kept on this device: browse, reopen, reuse, export, import, delete (with Undo). */
export function HistoryPanel(props: HistoryPanelProps) {
  const { records, problem, unsavedCount, deleted, onReuse, onShow, onDelete, onUndoDelete, onRetry, onImport } = props;
  return (
    <section className="panel history" aria-labelledby="history-title">
      <div className="history-header">
        <h2 id="history-title">History</h2>
        <span className="muted">{records.length === 0 ? 'Nothing yet: finished rewrites appear here.' : `${records.length} saved on this device`}</span>
      </div>
      <div className="history-tools">
        {records.length > 0 && <ExportButtons label="Export all" scope={{ kind: 'all', records }} />}
        <ImportControl onImport={onImport} />
      </div>
      {problem && (
        <div role="alert" className="error">
          <p>{problem}</p>
          {unsavedCount > 0 && (
            <button type="button" onClick={onRetry}>
              Retry saving
            </button>
          )}
        </div>
      )}
      {deleted && (
        <p role="status" className="notice">
          Deleted “{deleted.prompt}”.{' '}
          <button type="button" onClick={onUndoDelete}>
            Undo
          </button>
        </p>
      )}
      <ul className="history-list">
        {records.map((record) => (
          <li key={record.id} className="history-item" aria-label={`Rewrite of ${record.createdAt}`}>
            <img className="history-thumb" src={record.image.thumbnailDataUrl} alt={`Image: ${record.image.name}`} />
            <details>
              <summary>
                <span className="history-prompt">{record.prompt}</span>
                <span className={`outcome-tag outcome-${record.rewrite.outcome}`}>{outcomeTitle(record.rewrite)}</span>
                <span className="muted">
                  {new Date(record.createdAt).toLocaleString()} · {record.model?.label ?? 'Static defence'}
                </span>
              </summary>
              <dl className="history-facts">
                <dt>Risk</dt>
                <dd>
                  {record.rewrite.analysis.level ?? 'unknown'}
                  {record.rewrite.analysis.category ? ` · ${RISK_CATEGORIES[record.rewrite.analysis.category]}` : ''}
                </dd>
                {record.model && (
                  <>
                    <dt>Reasoning</dt>
                    <dd>{REASONING_EXPLANATIONS[record.reasoning].replace(/^Reasoning: /, '')}</dd>
                  </>
                )}
                {shownAnalysisSections(record.rewrite.analysis, record.reasoning).map((section) => (
                  <Fragment key={section}>
                    <dt>{ANALYSIS_LABELS[section]}</dt>
                    <dd>{record.rewrite.analysis[section] || '—'}</dd>
                  </Fragment>
                ))}
                <dt>Refined prompt</dt>
                <dd className="history-refined">{finalPrompt(record)}</dd>
                <dt>Backend</dt>
                <dd>
                  {record.backend.kind} · {record.backend.reason}
                </dd>
                {record.timings.totalMs !== null && (
                  <>
                    <dt>Time</dt>
                    <dd>
                      {record.timings.tokenCount} tokens in {formatMs(record.timings.totalMs)}
                      {record.timings.tokensPerSecond !== null && ` (${record.timings.tokensPerSecond.toFixed(1)} tokens/s)`}
                    </dd>
                  </>
                )}
              </dl>
              <div className="actions">
                <button type="button" onClick={() => onReuse(record)}>
                  Use this prompt again
                </button>
                <button type="button" onClick={() => onShow(record)}>
                  Show this result
                </button>
                <button type="button" onClick={() => onDelete(record)}>
                  Delete
                </button>
              </div>
              <ExportButtons label="Export this rewrite" scope={{ kind: 'one', record }} />
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
