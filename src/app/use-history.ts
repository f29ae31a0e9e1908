import { useEffect, useState, useSyncExternalStore } from 'react';
import { createHistorySession } from './history-session.ts';
import { openHistoryStore } from './history-store.ts';

/** The saved rewrites, newest first, with what went wrong saving them, Undo for a delete, Retry and import. */
export function useHistory() {
  // Creating a session does no I/O; start() opens the store, so a render that React discards costs nothing.
  const [session] = useState(() => createHistorySession(() => openHistoryStore()));
  useEffect(() => {
    session.start();
    return () => session.close();
  }, [session]);
  const snapshot = useSyncExternalStore(session.subscribe, session.getSnapshot);
  return {
    ...snapshot,
    save: session.save,
    update: session.update,
    remove: session.remove,
    undoRemove: session.undoRemove,
    retry: session.retry,
    importRecords: session.importRecords,
  };
}
