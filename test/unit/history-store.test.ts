import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HISTORY_DB_VERSION,
  HistoryStoreError,
  createMemoryHistoryStore,
  openHistoryStore,
  type HistoryStore,
} from '../../src/app/history-store.ts';
import { HISTORY_SCHEMA_VERSION, buildHistoryRecord, type HistoryRecord } from '../../src/core/history-record.ts';
import { staticDefenceResult } from '../../src/core/rewrite-decision.ts';

let dbCounter = 0;
/** A fresh database per test: fake-indexeddb keeps them all for the life of the process. */
function freshName(): string {
  dbCounter += 1;
  return `history-test-${dbCounter}`;
}

function record(id: string, createdAt: string, prompt = `prompt ${id}`): HistoryRecord {
  return buildHistoryRecord({
    id,
    createdAt: new Date(createdAt),
    image: { name: `${id}.png`, thumbnailDataUrl: 'data:image/jpeg;base64,AAAA', original: { width: 4, height: 3 } },
    prompt,
    rewrite: staticDefenceResult(prompt, 'no-model'),
    model: null,
    generation: null,
  });
}

const opened: HistoryStore[] = [];
async function open(name: string): Promise<HistoryStore> {
  const store = await openHistoryStore(name);
  opened.push(store);
  return store;
}

afterEach(() => {
  vi.restoreAllMocks();
  for (const store of opened.splice(0)) store.close();
});

const ids = (records: HistoryRecord[]) => records.map((r) => r.id);

describe.each([
  ['IndexedDB', () => open(freshName())],
  ['memory', async () => createMemoryHistoryStore()],
])('history store (%s)', (_kind, makeStore) => {
  it('adds, lists newest first, gets, deletes, clears and counts', async () => {
    const store = await makeStore();
    expect(await store.list()).toEqual([]);
    await store.add(record('a', '2026-01-01T00:00:00.000Z'));
    await store.add(record('c', '2026-03-01T00:00:00.000Z'));
    await store.add(record('b', '2026-02-01T00:00:00.000Z'));
    expect(ids(await store.list())).toEqual(['c', 'b', 'a']);
    expect(await store.count()).toBe(3);
    expect(await store.get('b')).toEqual(record('b', '2026-02-01T00:00:00.000Z'));
    expect(await store.get('missing')).toBeUndefined();

    await store.delete('b');
    expect(ids(await store.list())).toEqual(['c', 'a']);
    await store.delete('missing');
    expect(await store.count()).toBe(2);

    await store.clear();
    expect(await store.list()).toEqual([]);
    expect(await store.count()).toBe(0);
  });

  it('replaces a record added again under the same id (an edit after saving)', async () => {
    const store = await makeStore();
    const first = record('a', '2026-01-01T00:00:00.000Z');
    await store.add(first);
    await store.add({ ...first, editedPrompt: 'edited' });
    expect(await store.count()).toBe(1);
    expect((await store.get('a'))?.editedPrompt).toBe('edited');
  });

  it('orders records of the same millisecond by id, newest first', async () => {
    const store = await makeStore();
    for (const id of ['m', 'z', 'a']) await store.add(record(id, '2026-01-01T00:00:00.000Z'));
    expect(ids(await store.list())).toEqual(['z', 'm', 'a']);
  });
});

describe('openHistoryStore', () => {
  it('keeps records across a reopen (a reload)', async () => {
    const name = freshName();
    const first = await open(name);
    await first.add(record('a', '2026-01-01T00:00:00.000Z', 'with | pipes, `ticks` and\nnewlines'));
    first.close();
    const second = await open(name);
    expect(await second.list()).toEqual([record('a', '2026-01-01T00:00:00.000Z', 'with | pipes, `ticks` and\nnewlines')]);
  });

  it('keeps a record that hit the quota in memory and saves it on retry', async () => {
    const name = freshName();
    const store = await open(name);
    await store.add(record('old', '2026-01-01T00:00:00.000Z'));
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const fresh = record('new', '2026-02-01T00:00:00.000Z');

    const error = await store.add(fresh).then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(HistoryStoreError);
    expect(error).toMatchObject({ name: 'HistoryStoreError', reason: 'storage-full', record: fresh });
    expect((error as Error).message).toMatch(/storage is full/i);
    // The rewrite is not lost: the store still shows it, marked unsaved.
    expect(ids(await store.list())).toEqual(['new', 'old']);
    expect(await store.get('new')).toEqual(fresh);
    expect(await store.count()).toBe(2);
    expect(ids(store.unsaved())).toEqual(['new']);
    expect(await store.retryUnsaved()).toBe(1);

    put.mockRestore();
    expect(await store.retryUnsaved()).toBe(0);
    expect(store.unsaved()).toEqual([]);
    store.close();
    expect(ids(await (await open(name)).list())).toEqual(['new', 'old']);
  });

  it('reports a quota abort of the transaction (how browsers report a full disk) as storage-full', async () => {
    const store = await open(freshName());
    const realPut = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const request = realPut.apply(this, args);
      // Abort as the engine does when a write does not fit: the pending request gets an AbortError and
      // the transaction carries the cause. `_abort(name)` is fake-indexeddb's "abort a transaction with error".
      (this.transaction as unknown as { _abort(errorName: string): void })._abort('QuotaExceededError');
      return request;
    });
    await expect(store.add(record('a', '2026-01-01T00:00:00.000Z'))).rejects.toMatchObject({ reason: 'storage-full' });
    expect(ids(store.unsaved())).toEqual(['a']);
  });

  it('wraps other write failures as write-failed, keeping the record', async () => {
    const store = await open(freshName());
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Disk I/O', 'UnknownError');
    });
    await expect(store.add(record('a', '2026-01-01T00:00:00.000Z'))).rejects.toMatchObject({ reason: 'write-failed' });
    expect(ids(await store.list())).toEqual(['a']);
  });

  it('deleting or clearing also forgets unsaved records', async () => {
    const store = await open(freshName());
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    await store.add(record('a', '2026-01-01T00:00:00.000Z')).catch(() => undefined);
    await store.add(record('b', '2026-01-02T00:00:00.000Z')).catch(() => undefined);
    await store.delete('a');
    expect(ids(store.unsaved())).toEqual(['b']);
    await store.clear();
    expect(await store.list()).toEqual([]);
  });
});

describe('history schema', () => {
  it('creates the database at the current version with the records store and its index', async () => {
    const name = freshName();
    (await open(name)).close();
    const raw = await openDB(name);
    expect(raw.version).toBe(HISTORY_DB_VERSION);
    expect([...raw.objectStoreNames]).toEqual(['records']);
    const transaction = raw.transaction('records');
    expect(transaction.store.keyPath).toBe('id');
    expect([...transaction.store.indexNames]).toEqual(['by-created']);
    raw.close();
  });

  it('reads stored records of older shape, and hides (but keeps) newer and broken ones', async () => {
    const name = freshName();
    (await open(name)).close();
    const raw = await openDB(name);
    const current = record('current', '2026-01-03T00:00:00.000Z');
    // A record without the fields that have defaults (rawOutput, stopReason), as a hand-edited import might be.
    const older: Partial<HistoryRecord> = record('older', '2026-01-02T00:00:00.000Z');
    delete older.rawOutput;
    delete older.stopReason;
    const newer = { ...record('newer', '2026-01-04T00:00:00.000Z'), schemaVersion: HISTORY_SCHEMA_VERSION + 1, extra: 1 };
    const broken = { id: 'broken', createdAt: '2026-01-05T00:00:00.000Z', schemaVersion: 1 };
    for (const value of [current, older, newer, broken]) await raw.put('records', value);
    raw.close();

    const store = await open(name);
    const listed = await store.list();
    expect(ids(listed)).toEqual(['current', 'older']);
    expect(listed[1]).toMatchObject({ rawOutput: '', stopReason: null });
    expect(await store.get('newer')).toBeUndefined();
    // A newer app may own them: they stay stored and counted.
    expect(await store.count()).toBe(4);
  });

  it('steps aside when another tab upgrades the database, then reports the newer version', async () => {
    const name = freshName();
    const store = await open(name);
    await store.add(record('a', '2026-01-01T00:00:00.000Z'));
    // A newer app in another tab: its open would be blocked forever if this connection stayed open.
    const newer = await openDB(name, HISTORY_DB_VERSION + 1);
    expect(newer.version).toBe(HISTORY_DB_VERSION + 1);
    newer.close();
    await expect(store.list()).rejects.toMatchObject({ name: 'HistoryStoreError', reason: 'unavailable', message: expect.stringMatching(/newer version/) });
    await expect(openHistoryStore(name)).rejects.toMatchObject({ reason: 'unavailable' });
  });
});
