import { useCallback, useState } from 'react';
import type { HistoryRecord } from '../core/history-record.ts';
import type { ShownResult } from './shown-result.ts';

type RecordChange = (record: HistoryRecord) => HistoryRecord;

/**
 * The result in the main view and its history entry. Changes go to history by the entry's id, so an
 * edit or a late remote answer lands on the entry it belongs to, and a deleted entry stays deleted.
 */
export function useCurrentRecord(updateHistory: (id: string, change: RecordChange) => Promise<void>) {
  const [shown, setShown] = useState<ShownResult | null>(null);

  const edit = useCallback(
    (id: string, change: RecordChange) => {
      setShown((current) => (current?.record.id === id ? { ...current, record: change(current.record) } : current));
      return updateHistory(id, change);
    },
    [updateHistory],
  );

  return { shown, show: setShown, edit };
}
