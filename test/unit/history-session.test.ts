import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHistorySession, type HistorySession } from '../../src/app/history-session.ts';
import { openHistoryStore, type HistoryStore } from '../../src/app/history-store.ts';
import { buildHistoryRecord, type HistoryRecord } from '../../src/core/history-record.ts';
import { staticDefenceResult } from '../../src/core/rewrite-decision.ts';

let dbCounter = 0;
let dbName: string;
const sessions: HistorySession[] = [];

beforeEach(() => {
  dbCounter += 1;
  dbName = `history-session-test-${dbCounter}`;
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  for (const session of sessions.splice(0)) session.close();
});

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

function start(open: () => Promise<HistoryStore> = () => openHistoryStore(dbName), undoMs?: number): HistorySession {
  const session = createHistorySession(open, undoMs === undefined ? {} : { undoMs });
  sessions.push(session);
  session.start();
  return session;
}

/** What a reload would list. */
async function listAfterReload(): Promise<string[]> {
  const store = await openHistoryStore(dbName);
  try {
    return (await store.list()).map((saved) => saved.id);
  } finally {
    store.close();
  }
}

const shown = (session: HistorySession) => session.getSnapshot().records.map((saved) => saved.id);
const edit = (text: string) => (saved: HistoryRecord): HistoryRecord => ({ ...saved, editedPrompt: text });

function failWrites(): void {
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  });
}

describe('history: deleting', () => {
  it('an entry deleted while its result is on screen stays deleted when the result is edited or answered later', async () => {
    const session = start();
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    await session.remove('a');
    await session.update('a', edit('an edit after the delete'));
    await session.update('a', (saved) => ({ ...saved, remote: { host: 'h', model: 'm', original: null, refined: null } }));
    expect(shown(session)).toEqual([]);
    expect(await listAfterReload()).toEqual([]);
  });

  it('Undo brings the entry back with what changed meanwhile; after the undo window it is gone for good', async () => {
    const session = start();
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    await session.save(record('b', '2026-01-02T00:00:00.000Z'));
    await session.remove('a');
    expect(session.getSnapshot().deleted?.id).toBe('a');
    // Deleted at once: a reload during the undo window does not bring it back.
    expect(await listAfterReload()).toEqual(['b']);
    await session.update('a', edit('edited while deleted'));
    await session.undoRemove();
    expect(session.getSnapshot().deleted).toBeNull();
    expect(shown(session)).toEqual(['b', 'a']);
    expect(session.getSnapshot().records.find((saved) => saved.id === 'a')?.editedPrompt).toBe('edited while deleted');
    expect(await listAfterReload()).toEqual(['b', 'a']);
    // Restored, it is a normal entry again: later edits are saved.
    await session.update('a', edit('edited after the undo'));
    expect(session.getSnapshot().records.find((saved) => saved.id === 'a')?.editedPrompt).toBe('edited after the undo');
  });

  it('offers Undo only for a few seconds, and only for the latest delete', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const session = start(undefined, 5000);
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    await session.save(record('b', '2026-01-02T00:00:00.000Z'));
    await session.remove('a');
    await session.remove('b');
    expect(session.getSnapshot().deleted?.id).toBe('b');
    vi.advanceTimersByTime(5000);
    expect(session.getSnapshot().deleted).toBeNull();
    await session.undoRemove();
    expect(shown(session)).toEqual([]);
    await session.update('a', edit('late'));
    await session.update('b', edit('late'));
    expect(await listAfterReload()).toEqual([]);
  });
});

describe('history: updates by id', () => {
  it('a change for one entry lands on that entry, whichever was saved last', async () => {
    const session = start();
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    await session.save(record('b', '2026-01-02T00:00:00.000Z'));
    await session.update('a', (saved) => ({ ...saved, remote: { host: 'h', model: 'm', original: null, refined: null } }));
    const [b, a] = session.getSnapshot().records;
    expect(a).toMatchObject({ id: 'a', remote: { model: 'm' } });
    expect(b).not.toHaveProperty('remote');
  });

  it('changes made one after another all stay (no change overwrites another)', async () => {
    const session = start();
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    await Promise.all([
      session.update('a', edit('edited')),
      session.update('a', (saved) => ({ ...saved, remote: { host: 'h', model: 'm', original: null, refined: null } })),
    ]);
    expect(session.getSnapshot().records[0]).toMatchObject({ editedPrompt: 'edited', remote: { model: 'm' } });
  });
});

describe('history: saving', () => {
  it('keeps a rewrite saved before the store has opened', async () => {
    let open!: (store: HistoryStore) => void;
    const session = start(() => new Promise((resolve) => (open = resolve)));
    const saving = session.save(record('a', '2026-01-01T00:00:00.000Z'));
    const store = await openHistoryStore(dbName);
    expect(shown(session)).toEqual([]);
    open(store);
    await saving;
    expect(shown(session)).toEqual(['a']);
    expect(await listAfterReload()).toEqual(['a']);
  });

  it('shows a failed save, keeps the entry listed, and saves it on Retry', async () => {
    const session = start();
    failWrites();
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    expect(session.getSnapshot()).toMatchObject({ problem: expect.stringMatching(/Storage is full/), unsavedCount: 1 });
    expect(shown(session)).toEqual(['a']);
    await session.retry();
    expect(session.getSnapshot()).toMatchObject({ problem: expect.stringMatching(/Storage is full/), unsavedCount: 1 });

    vi.restoreAllMocks();
    await session.retry();
    expect(session.getSnapshot()).toMatchObject({ problem: null, unsavedCount: 0 });
    expect(await listAfterReload()).toEqual(['a']);
  });

  it('retries unsaved entries with the next change', async () => {
    const session = start();
    failWrites();
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    vi.restoreAllMocks();
    await session.save(record('b', '2026-01-02T00:00:00.000Z'));
    expect(session.getSnapshot()).toMatchObject({ problem: null, unsavedCount: 0 });
    expect(await listAfterReload()).toEqual(['b', 'a']);
  });

  it('says so when an entry cannot be deleted, and keeps it listed', async () => {
    const session = start();
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    vi.spyOn(IDBObjectStore.prototype, 'delete').mockImplementation(() => {
      throw new DOMException('Disk I/O', 'UnknownError');
    });
    await session.remove('a');
    expect(session.getSnapshot().problem).toMatch(/could not be deleted.*Disk I\/O/);
    expect(session.getSnapshot().deleted).toBeNull();
    expect(shown(session)).toEqual(['a']);
  });

  it('falls back to memory, and says so, when IndexedDB cannot be opened', async () => {
    const session = start(() => Promise.reject(new Error('no IndexedDB')));
    await session.save(record('a', '2026-01-01T00:00:00.000Z'));
    expect(session.getSnapshot()).toMatchObject({ persistent: false, problem: expect.stringMatching(/cannot keep history/) });
    expect(shown(session)).toEqual(['a']);
  });
});
