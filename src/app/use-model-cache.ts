import { useCallback, useEffect, useState } from 'react';
import type { CachedModelSummary } from '../core/model-cache-keys.ts';
import { deleteModelFromCache, readModelCache, readStorageStatus, requestPersistentStorage, type StorageStatus } from './model-cache.ts';

/** The storage status, and whether the browser refused the last request to keep the models. */
type StorageView = StorageStatus & { persistRefused: boolean };

/** What the browser has cached of each model, and the storage it uses; re-read whenever `version` changes. */
export function useModelCache(modelIds: readonly string[], version: unknown) {
  const [summaries, setSummaries] = useState<Record<string, CachedModelSummary>>({});
  const [status, setStatus] = useState<StorageStatus | null>(null);
  const [persistRefused, setPersistRefused] = useState(false);
  const [revision, setRevision] = useState(0);
  const idsKey = modelIds.join('\n');

  useEffect(() => {
    let current = true;
    void Promise.all([readModelCache(idsKey.split('\n')), readStorageStatus()]).then(([cache, status]) => {
      if (!current) return;
      setSummaries(cache);
      setStatus(status);
    });
    return () => {
      current = false;
    };
  }, [idsKey, version, revision]);

  const remove = useCallback(async (modelId: string) => {
    await deleteModelFromCache(modelId);
    setRevision((value) => value + 1);
  }, []);

  /** Asks the browser to keep the models; true when it agreed. */
  const persist = useCallback(async () => {
    const granted = await requestPersistentStorage();
    setPersistRefused(!granted);
    setRevision((value) => value + 1);
    return granted;
  }, []);

  const storage: StorageView | null = status && { ...status, persistRefused: persistRefused && !status.persisted };
  return { summaries, storage, remove, persist };
}
