import { useCallback, useEffect, useState } from 'react';
import type { HistoryRecord } from '../core/history-record.ts';
import { createMemoryHistoryStore, HistoryStoreError, openHistoryStore, type HistoryStore } from './history-store.ts';

/** The saved rewrites, newest first; a failed save keeps the record in memory and says why. */
export function useHistory() {
  const [store, setStore] = useState<HistoryStore | null>(null);
  const [records, setRecords] = useState<HistoryRecord[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let opened: HistoryStore | null = null;
    let current = true;
    void openHistoryStore()
      .catch(() => {
        setProblem('This browser cannot keep history (IndexedDB is unavailable); it lasts until you close the tab.');
        return createMemoryHistoryStore();
      })
      .then(async (historyStore) => {
        opened = historyStore;
        if (!current) return historyStore.close();
        setStore(historyStore);
        setRecords(await historyStore.list());
      });
    return () => {
      current = false;
      opened?.close();
    };
  }, []);

  const refresh = useCallback(async (historyStore: HistoryStore) => setRecords(await historyStore.list()), []);

  const save = useCallback(
    async (record: HistoryRecord) => {
      if (!store) return;
      try {
        await store.add(record);
        setProblem(null);
      } catch (error) {
        setProblem(error instanceof HistoryStoreError ? error.message : `History could not be saved: ${String(error)}`);
      }
      await refresh(store);
    },
    [store, refresh],
  );

  const remove = useCallback(
    async (id: string) => {
      if (!store) return;
      await store.delete(id);
      await refresh(store);
    },
    [store, refresh],
  );

  return { records, problem, save, remove };
}
