import { useCallback, useEffect, useState } from 'react';
import type { CachedModelSummary } from '../core/model-cache-keys.ts';
import { deleteModelFromCache, readModelCache, readStorageStatus, requestPersistentStorage, type StorageStatus } from './model-cache.ts';

/** What the browser has cached of each model, and the storage it uses; re-read whenever `version` changes. */
export function useModelCache(modelIds: readonly string[], version: unknown) {
  const [summaries, setSummaries] = useState<Record<string, CachedModelSummary>>({});
  const [storage, setStorage] = useState<StorageStatus | null>(null);
  const [revision, setRevision] = useState(0);
  const idsKey = modelIds.join('\n');

  useEffect(() => {
    let current = true;
    void Promise.all([readModelCache(idsKey.split('\n')), readStorageStatus()]).then(([cache, status]) => {
      if (!current) return;
      setSummaries(cache);
      setStorage(status);
    });
    return () => {
      current = false;
    };
  }, [idsKey, version, revision]);

  const remove = useCallback(async (modelId: string) => {
    await deleteModelFromCache(modelId);
    setRevision((value) => value + 1);
  }, []);

  const persist = useCallback(async () => {
    await requestPersistentStorage();
    setRevision((value) => value + 1);
  }, []);

  return { summaries, storage, remove, persist };
}
