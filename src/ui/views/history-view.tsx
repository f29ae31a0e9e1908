import type { AppSession } from '../app-session.ts';
import { HistoryPanel } from '../history-panel.tsx';

interface HistoryViewProps {
  session: AppSession;
  /** Reusing or showing an entry happens in the Rewrite view, so it goes there. */
  showRewriteView: () => void;
}

export function HistoryView({ session, showRewriteView }: HistoryViewProps) {
  const { history } = session;
  return (
    <HistoryPanel
      records={history.records}
      problem={history.problem}
      unsavedCount={history.unsavedCount}
      deleted={history.deleted}
      onReuse={(record) => {
        session.reuseRecord(record);
        showRewriteView();
      }}
      onShow={(record) => {
        session.showRecord(record);
        showRewriteView();
      }}
      onDelete={(record) => void history.remove(record.id)}
      onUndoDelete={() => void history.undoRemove()}
      onRetry={() => void history.retry()}
      onImport={history.importRecords}
    />
  );
}
