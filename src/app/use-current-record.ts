import { useCallback, useRef, useState } from 'react';
import type { HistoryRecord } from '../core/history-record.ts';

/** The history entry of the latest rewrite; later edits and remote answers update it in place. */
export function useCurrentRecord(save: (record: HistoryRecord) => Promise<void>) {
  const [record, setRecord] = useState<HistoryRecord | null>(null);
  // Remote answers arrive from async work; the ref always holds the entry they belong to.
  const latest = useRef<HistoryRecord | null>(null);

  const replace = useCallback(
    (next: HistoryRecord) => {
      latest.current = next;
      setRecord(next);
      return save(next);
    },
    [save],
  );

  const update = useCallback(
    (change: (current: HistoryRecord) => HistoryRecord) => (latest.current ? replace(change(latest.current)) : Promise.resolve()),
    [replace],
  );

  return { record, replace, update };
}
