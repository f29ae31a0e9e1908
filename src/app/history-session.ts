import { errorMessage } from '../core/error-facts.ts';
import { newRecords, type HistoryImportCount } from '../core/history-import.ts';
import type { HistoryRecord } from '../core/history-record.ts';
import { createMemoryHistoryStore, HistoryStoreError, type HistoryStore } from './history-store.ts';

/** How long a deleted entry can be brought back with Undo. */
export const HISTORY_UNDO_MS = 8000;

export interface HistorySnapshot {
  /** Newest first, unsaved ones included. */
  records: readonly HistoryRecord[];
  /** What went wrong, in words for the user; null when everything is saved. */
  problem: string | null;
  /** Entries kept only in this tab because their save failed; retry() saves them. */
  unsavedCount: number;
  /** The entry just deleted, while undoRemove() can still bring it back. */
  deleted: HistoryRecord | null;
  /** False when history lasts only as long as the tab. */
  persistent: boolean;
}

export interface HistorySession {
  getSnapshot(): HistorySnapshot;
  subscribe(listener: () => void): () => void;
  /** Opens the store (once) and lists it; every other call also waits for the store. */
  start(): void;
  /** Saves a new entry; a failure is shown in the snapshot, never thrown. */
  save(record: HistoryRecord): Promise<void>;
  /** Changes the stored entry with this id (an edit, a remote answer); a deleted entry stays deleted. */
  update(id: string, change: (record: HistoryRecord) => HistoryRecord): Promise<void>;
  /** Deletes at once, and offers Undo for a few seconds. */
  remove(id: string): Promise<void>;
  undoRemove(): Promise<void>;
  /** Saves again the entries whose save failed. */
  retry(): Promise<void>;
  /**
   * Adds records read from an export, keeping their ids: one already in history (or twice in the list) is
   * skipped, so importing a file again adds nothing. A failed save is shown like any other, with Retry; null
   * when history could not be read at all (the snapshot's problem says why).
   */
  importRecords(records: readonly HistoryRecord[]): Promise<HistoryImportCount | null>;
  close(): void;
}

export interface HistorySessionOptions {
  undoMs?: number;
}

const UNAVAILABLE = 'This browser cannot keep history (IndexedDB is unavailable); it lasts until you close the tab.';

/**
 * History as the app uses it: one queue of store operations, so that a save made before the store
 * opened is kept and every change applies to the latest version of its entry; deletions that stay
 * deleted; failures shown and retried.
 */
export function createHistorySession(open: () => Promise<HistoryStore>, options: HistorySessionOptions = {}): HistorySession {
  const undoMs = options.undoMs ?? HISTORY_UNDO_MS;
  const listeners = new Set<() => void>();
  let snapshot: HistorySnapshot = { records: [], problem: null, unsavedCount: 0, deleted: null, persistent: true };
  let opening: Promise<HistoryStore> | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let storageProblem: string | null = null;
  // A failed save lasts until nothing is unsaved; a failed delete until the next thing the user does.
  let saveProblem: string | null = null;
  let actionProblem: string | null = null;
  // Ids deleted in this tab: a late edit or remote answer for one of them must not save it again.
  const removed = new Set<string>();
  let pending: { record: HistoryRecord; timer: ReturnType<typeof setTimeout> } | null = null;

  const publish = (change: Partial<HistorySnapshot>) => {
    snapshot = { ...snapshot, ...change, problem: actionProblem ?? saveProblem ?? storageProblem };
    for (const listener of listeners) listener();
  };

  const store = (): Promise<HistoryStore> => {
    opening ??= open().catch((error: unknown) => {
      storageProblem = error instanceof HistoryStoreError ? error.message : UNAVAILABLE;
      return createMemoryHistoryStore();
    });
    return opening;
  };

  /** Runs store operations one at a time, in call order; a failed one never stops the queue. */
  const enqueue = (operation: (opened: HistoryStore) => Promise<void>): Promise<void> => {
    const run = queue.then(async () => operation(await store()));
    queue = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      actionProblem = `History could not be updated: ${errorMessage(error)}`;
      publish({});
    });
  };

  const refresh = async (opened: HistoryStore) => {
    const unsaved = opened.unsaved().length;
    if (unsaved === 0) saveProblem = null;
    publish({ records: await opened.list(), unsavedCount: unsaved, persistent: opened.persistent });
  };

  const write = async (opened: HistoryStore, record: HistoryRecord) => {
    // The next change is also the moment to retry what failed before.
    if (opened.unsaved().some((unsaved) => unsaved.id !== record.id)) await opened.retryUnsaved();
    try {
      await opened.add(record);
    } catch (error) {
      saveProblem = error instanceof HistoryStoreError ? error.message : `History could not be saved: ${errorMessage(error)}`;
    }
    await refresh(opened);
  };

  const endUndo = () => {
    if (!pending) return;
    clearTimeout(pending.timer);
    pending = null;
  };

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      void enqueue(refresh);
    },
    save: (record) => enqueue((opened) => write(opened, record)),
    update: (id, change) =>
      enqueue(async (opened) => {
        if (removed.has(id)) {
          // Kept for Undo, which restores the entry as it is by then.
          if (pending?.record.id === id) pending.record = change(pending.record);
          return;
        }
        const current = await opened.get(id);
        if (current) await write(opened, change(current));
      }),
    remove: (id) =>
      enqueue(async (opened) => {
        actionProblem = null;
        const record = await opened.get(id);
        try {
          await opened.delete(id);
        } catch (error) {
          actionProblem = `This entry could not be deleted: ${errorMessage(error)}`;
          return refresh(opened);
        }
        removed.add(id);
        endUndo();
        if (record) {
          const timer = setTimeout(() => {
            if (pending?.timer !== timer) return;
            pending = null;
            publish({ deleted: null });
          }, undoMs);
          pending = { record, timer };
        }
        snapshot = { ...snapshot, deleted: pending?.record ?? null };
        await refresh(opened);
      }),
    undoRemove: () =>
      enqueue(async (opened) => {
        actionProblem = null;
        if (!pending) return;
        const { record } = pending;
        endUndo();
        removed.delete(record.id);
        snapshot = { ...snapshot, deleted: null };
        await write(opened, record);
      }),
    retry: () =>
      enqueue(async (opened) => {
        actionProblem = null;
        await opened.retryUnsaved();
        await refresh(opened);
      }),
    async importRecords(records) {
      let count: HistoryImportCount | null = null;
      await enqueue(async (opened) => {
        actionProblem = null;
        const present = new Set((await opened.list()).map((saved) => saved.id));
        const added = newRecords(records, present);
        for (const record of added) {
          // Brought back on purpose: neither a late edit's guard nor a pending Undo applies to it any more.
          removed.delete(record.id);
          if (pending?.record.id === record.id) {
            endUndo();
            snapshot = { ...snapshot, deleted: null };
          }
          try {
            await opened.add(record);
          } catch (error) {
            saveProblem = error instanceof HistoryStoreError ? error.message : `History could not be saved: ${errorMessage(error)}`;
          }
        }
        count = { added: added.length, skipped: records.length - added.length };
        await refresh(opened);
      });
      return count;
    },
    close() {
      endUndo();
      // After the operations already queued; a later one opens the store again (React's StrictMode remounts).
      const closing = opening;
      opening = null;
      queue = queue.then(() => closing?.then((opened) => opened.close()));
    },
  };
}

