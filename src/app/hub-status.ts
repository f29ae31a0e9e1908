import { useSyncExternalStore } from 'react';
import { useOnlineStatus } from './use-online-status.ts';

/**
 * What this page has learnt about reaching the model hub: a load that could not reach it marks the hub unreachable
 * until a later load succeeds. Shared by the picker and the failed load's ways forward, like the online status.
 */
let unreachable = false;
const listeners = new Set<() => void>();

function setUnreachable(value: boolean): void {
  if (unreachable === value) return;
  unreachable = value;
  for (const listener of listeners) listener();
}

/** A model load failed because the hub could not be reached (a network error). */
export const noteHubUnreachable = () => setUnreachable(true);
/** A model loaded: whatever failed before, the next try may work. */
export const noteModelLoaded = () => setUnreachable(false);

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

/** True while the page is offline, or since a load last failed to reach the hub. */
export function useHubUnreachable(): boolean {
  const online = useOnlineStatus();
  const failed = useSyncExternalStore(subscribe, () => unreachable);
  return !online || failed;
}
