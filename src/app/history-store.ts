import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { errorMessage, errorName, isQuotaExceeded } from '../core/error-facts.ts';
import { migrateHistoryRecord, type HistoryRecord } from '../core/history-record.ts';

/**
 * Completed rewrites in IndexedDB, one object store of whole records (thumbnails inline: they are
 * small data URLs, and the history list shows them anyway, so a separate image store would only
 * add a second read per row). A write that fails is kept in memory for this tab, so a full disk
 * never loses the rewrite the user just made; it is retried with retryUnsaved().
 */
export interface HistoryStore {
  /** False for the in-memory fallback store: nothing outlives the tab. */
  readonly persistent: boolean;
  /**
   * Saves (or replaces, by id) a record. On failure the record stays in memory, visible to list()
   * and get(), and the promise rejects with a HistoryStoreError.
   */
  add(record: HistoryRecord): Promise<void>;
  /** Every readable record, newest first, unsaved ones included. */
  list(): Promise<HistoryRecord[]>;
  get(id: string): Promise<HistoryRecord | undefined>;
  delete(id: string): Promise<void>;
  clear(): Promise<void>;
  /** Stored records (including any this version cannot read) plus unsaved ones, without reading them. */
  count(): Promise<number>;
  /** Records whose save failed, newest first; they are lost when the tab closes. */
  unsaved(): HistoryRecord[];
  /** Tries to save the unsaved records again (e.g. after the user deleted old ones); resolves to how many remain unsaved. */
  retryUnsaved(): Promise<number>;
  close(): void;
}

export type HistoryStoreErrorReason = 'storage-full' | 'unavailable' | 'write-failed';

/** An expected storage failure, with a message the UI can show as is. */
export class HistoryStoreError extends Error {
  override readonly name = 'HistoryStoreError';
  readonly reason: HistoryStoreErrorReason;
  /** The record that could not be written (still available from the store's memory). */
  readonly record: HistoryRecord | null;

  constructor(reason: HistoryStoreErrorReason, message: string, options: { cause?: unknown; record?: HistoryRecord } = {}) {
    super(message, { cause: options.cause });
    this.reason = reason;
    this.record = options.record ?? null;
  }
}

export const DEFAULT_HISTORY_DB_NAME = 'vlmguard-history';

/**
 * The IndexedDB version: bumped when stores or indexes change, with one more step in
 * upgradeHistoryDb(). Record shapes are versioned separately (HISTORY_SCHEMA_VERSION) and
 * upgraded as they are read, so a new record field needs no database version.
 */
export const HISTORY_DB_VERSION = 1;

const RECORDS = 'records';
const BY_CREATED = 'by-created';

interface HistoryDb extends DBSchema {
  records: {
    key: string;
    value: HistoryRecord;
    // Ties in createdAt (same millisecond) are broken by id, so the order is total and stable.
    indexes: { 'by-created': [string, string] };
  };
}

type UpgradeTransaction = IDBPTransaction<HistoryDb, Array<'records'>, 'versionchange'>;

/** Applies every schema step between oldVersion and HISTORY_DB_VERSION, in order. */
function upgradeHistoryDb(db: IDBPDatabase<HistoryDb>, oldVersion: number, _transaction: UpgradeTransaction): void {
  if (oldVersion < 1) {
    const records = db.createObjectStore(RECORDS, { keyPath: 'id' });
    records.createIndex(BY_CREATED, ['createdAt', 'id']);
  }
  // Version 2 goes here: `if (oldVersion < 2) { ... _transaction.objectStore(RECORDS) ... }`.
}

/**
 * Opens (creating or upgrading) the history database. Rejects with a HistoryStoreError
 * ('unavailable') when IndexedDB is missing or refuses, e.g. when a newer version of the app
 * already upgraded it; the caller can then fall back to createMemoryHistoryStore().
 */
export async function openHistoryStore(dbName: string = DEFAULT_HISTORY_DB_NAME): Promise<HistoryStore> {
  let connection: Promise<IDBPDatabase<HistoryDb>> | null = null;
  const memory = new Map<string, HistoryRecord>();

  const database = (): Promise<IDBPDatabase<HistoryDb>> => {
    connection ??= openHistoryDb(dbName, () => {
      connection = null;
    }).catch((error: unknown) => {
      connection = null;
      throw error;
    });
    return connection;
  };

  const write = async (record: HistoryRecord): Promise<void> => {
    const db = await database();
    const transaction = db.transaction(RECORDS, 'readwrite');
    try {
      await Promise.all([transaction.store.put(record), transaction.done]);
    } catch (error) {
      transaction.done.catch(() => undefined);
      // A quota failure aborts the transaction: the request reports AbortError, the transaction the cause.
      throw transactionError(transaction) ?? error;
    }
  };

  const readAll = async (): Promise<HistoryRecord[]> => {
    const db = await database();
    const records: HistoryRecord[] = [];
    let cursor = await db.transaction(RECORDS).store.index(BY_CREATED).openCursor(null, 'prev');
    while (cursor) {
      const reading = migrateHistoryRecord(cursor.value);
      // Unreadable and newer-version records stay stored (a newer tab may own them) but are not shown.
      if (reading.ok) records.push(reading.record);
      cursor = await cursor.continue();
    }
    return records;
  };

  await database();

  const store: HistoryStore = {
    persistent: true,
    async add(record) {
      memory.delete(record.id);
      try {
        await write(record);
      } catch (error) {
        memory.set(record.id, record);
        throw describeWriteError(error, record);
      }
    },
    async list() {
      const stored = (await readAll()).filter((record) => !memory.has(record.id));
      return [...stored, ...memory.values()].sort(newestFirst);
    },
    async get(id) {
      const unsaved = memory.get(id);
      if (unsaved) return unsaved;
      const value = await (await database()).get(RECORDS, id);
      if (value === undefined) return undefined;
      const reading = migrateHistoryRecord(value);
      return reading.ok ? reading.record : undefined;
    },
    async delete(id) {
      memory.delete(id);
      await (await database()).delete(RECORDS, id);
    },
    async clear() {
      memory.clear();
      await (await database()).clear(RECORDS);
    },
    async count() {
      const db = await database();
      let unsavedOnly = 0;
      for (const id of memory.keys()) if ((await db.getKey(RECORDS, id)) === undefined) unsavedOnly += 1;
      return (await db.count(RECORDS)) + unsavedOnly;
    },
    unsaved() {
      return [...memory.values()].sort(newestFirst);
    },
    async retryUnsaved() {
      for (const record of store.unsaved().reverse()) {
        try {
          await write(record);
          memory.delete(record.id);
        } catch {
          break;
        }
      }
      return memory.size;
    },
    close() {
      void connection?.then((db) => db.close(), () => undefined);
      connection = null;
    },
  };
  return store;
}

async function openHistoryDb(dbName: string, onClosed: () => void): Promise<IDBPDatabase<HistoryDb>> {
  if (typeof indexedDB === 'undefined') {
    throw new HistoryStoreError('unavailable', 'This browser offers no IndexedDB here (a private window?), so history lasts only until the tab closes.');
  }
  try {
    const db: IDBPDatabase<HistoryDb> = await openDB<HistoryDb>(dbName, HISTORY_DB_VERSION, {
      upgrade: (database, oldVersion, _newVersion, transaction) => upgradeHistoryDb(database, oldVersion, transaction),
      // Another tab runs a newer app and needs to upgrade: step aside; the next call reopens (and gets a VersionError).
      blocking: () => {
        db.close();
        onClosed();
      },
      terminated: onClosed,
    });
    return db;
  } catch (error) {
    if (errorName(error) === 'VersionError') {
      throw new HistoryStoreError(
        'unavailable',
        'History was saved by a newer version of this app. Reload the page to get the new version.',
        { cause: error },
      );
    }
    throw new HistoryStoreError('unavailable', `History cannot be opened: ${errorMessage(error)}`, { cause: error });
  }
}

function transactionError(transaction: { error: DOMException | null }): DOMException | null {
  try {
    return transaction.error;
  } catch {
    return null; // Reading .error before the transaction finished throws InvalidStateError.
  }
}

function describeWriteError(error: unknown, record: HistoryRecord): HistoryStoreError {
  if (error instanceof HistoryStoreError) return new HistoryStoreError(error.reason, error.message, { cause: error.cause, record });
  if (isQuotaExceeded(error)) {
    return new HistoryStoreError(
      'storage-full',
      'Storage is full, so this rewrite was not saved to history. It stays here until you close the tab; delete older history or cached models to save it.',
      { cause: error, record },
    );
  }
  return new HistoryStoreError('write-failed', `This rewrite was not saved to history: ${errorMessage(error)}. It stays here until you close the tab.`, {
    cause: error,
    record,
  });
}


function newestFirst(a: HistoryRecord, b: HistoryRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The same interface in memory, for when IndexedDB is unavailable: history lasts as long as the tab. */
export function createMemoryHistoryStore(): HistoryStore {
  const records = new Map<string, HistoryRecord>();
  return {
    persistent: false,
    add: async (record) => {
      records.set(record.id, record);
    },
    list: async () => [...records.values()].sort(newestFirst),
    get: async (id) => records.get(id),
    delete: async (id) => {
      records.delete(id);
    },
    clear: async () => records.clear(),
    count: async () => records.size,
    unsaved: () => [],
    retryUnsaved: async () => 0,
    close: () => undefined,
  };
}
