import { useCallback, useEffect, useState } from 'react';
import { deleteImageTextCache, readImageTextCache, type CachedImageTextSummary } from './image-text-cache.ts';

/** What the browser has cached of the OCR files; null until read. Re-read whenever `version` changes. */
export function useImageTextCache(version: unknown) {
  const [cached, setCached] = useState<CachedImageTextSummary | null>(null);
  const [revision, setRevision] = useState(0);

  useEffect(() => {
    let current = true;
    // A cache that cannot be read (storage disabled) reads as nothing cached.
    void readImageTextCache()
      .catch(() => ({ files: 0, bytes: 0, complete: false }))
      .then((summary) => current && setCached(summary));
    return () => {
      current = false;
    };
  }, [version, revision]);

  /** Deletes the OCR files; resolves once they are gone, so the caller can forget the loaded OCR after. */
  const remove = useCallback(async () => {
    try {
      await deleteImageTextCache();
    } finally {
      setRevision((value) => value + 1);
    }
  }, []);

  return { cached, remove };
}
