import { useEffect, useState } from 'react';
import type { ModelRecord } from '../core/model-catalog.ts';
import { useHubUnreachable } from './hub-status.ts';
import { findModelsWithoutHub, type ModelWithoutHub } from './models-without-hub.ts';

/**
 * While the hub cannot be reached (offline, or a load failed to reach it): which of `models` still load here. Null
 * while the hub is reachable or the answer is not in yet; nothing is asked of the network before it is needed.
 * `models` should be a stable array (the offered catalog), or every render asks again.
 */
export function useModelsWithoutHub(models: readonly ModelRecord[]): ModelWithoutHub[] | null {
  const unreachable = useHubUnreachable();
  const [found, setFound] = useState<{ models: readonly ModelRecord[]; available: ModelWithoutHub[] } | null>(null);

  useEffect(() => {
    if (!unreachable) return;
    let current = true;
    void findModelsWithoutHub(models).then((available) => {
      if (current) setFound({ models, available });
    });
    return () => {
      current = false;
    };
  }, [unreachable, models]);

  return unreachable && found?.models === models ? found.available : null;
}
