import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_DRAFT_STORAGE_KEY,
  DRAFT_DEBOUNCE_MS,
  DRAFT_MAX_WAIT_MS,
  flushDraftOnPageHide,
  openDraftStore,
  type DraftStore,
  type DraftStoreError,
  type DraftTextStorage,
} from '../../src/app/draft-store.ts';

/** localStorage's behaviour for these three calls, with a record of each write. */
class MemoryStorage implements DraftTextStorage {
  readonly values = new Map<string, string>();
  writes = 0;
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes += 1;
    this.values.set(key, value);
  }
  removeItem(key: string): void {
    this.values.delete(key);
  }
  savedPrompt(): string | undefined {
    const raw = this.values.get(DEFAULT_DRAFT_STORAGE_KEY);
    return raw === undefined ? undefined : (JSON.parse(raw) as { prompt: string }).prompt;
  }
}

let dbCounter = 0;
let storage: MemoryStorage;
let dbName: string;
const stores: DraftStore[] = [];

function open(options: Parameters<typeof openDraftStore>[0] = {}): DraftStore {
  const store = openDraftStore({ storage, dbName, ...options });
  stores.push(store);
  return store;
}

beforeEach(() => {
  storage = new MemoryStorage();
  dbCounter += 1;
  dbName = `draft-test-${dbCounter}`;
});

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  vi.useRealTimers();
});

describe('draft text', () => {
  // Only timers and the clock: fake-indexeddb schedules its work with setImmediate.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  it(`saves ${DRAFT_DEBOUNCE_MS} ms after the last keystroke, once`, () => {
    const store = open();
    store.setPrompt('H');
    vi.advanceTimersByTime(100);
    store.setPrompt('He');
    vi.advanceTimersByTime(100);
    store.setPrompt('Hey');
    vi.advanceTimersByTime(DRAFT_DEBOUNCE_MS - 1);
    expect(storage.writes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(storage.writes).toBe(1);
    expect(storage.savedPrompt()).toBe('Hey');
  });

  it(`saves at least every ${DRAFT_MAX_WAIT_MS} ms while typing goes on`, () => {
    const store = open();
    for (let i = 1; i <= 10; i++) {
      store.setPrompt('x'.repeat(i));
      vi.advanceTimersByTime(200);
    }
    // 2 s of typing with 200 ms gaps: a pure debounce would not have saved at all.
    expect(storage.writes).toBeGreaterThanOrEqual(2);
    expect(storage.savedPrompt()?.length).toBeGreaterThanOrEqual(5);
  });

  it('flush() writes pending text synchronously, and nothing when nothing changed', () => {
    const store = open();
    store.flush();
    expect(storage.writes).toBe(0);
    store.setPrompt('typed just before the reload');
    store.flush();
    expect(storage.savedPrompt()).toBe('typed just before the reload');
    vi.advanceTimersByTime(DRAFT_DEBOUNCE_MS * 10);
    expect(storage.writes).toBe(1);
  });

  it('saves the rewriter choice at once, without losing the saved prompt', async () => {
    open().setPrompt('saved');
    stores[0]!.flush();
    const store = open();
    store.setRewriterId('HuggingFaceTB/SmolVLM-256M-Instruct');
    expect(await open().loadDraft()).toMatchObject({ prompt: 'saved', rewriterId: 'HuggingFaceTB/SmolVLM-256M-Instruct' });
  });

  it('pagehide and visibilitychange flush; the returned function stops that', () => {
    const store = open();
    const page = { window: new EventTarget(), document: new EventTarget() };
    const stop = flushDraftOnPageHide(store, page);
    store.setPrompt('one');
    page.window.dispatchEvent(new Event('pagehide'));
    expect(storage.savedPrompt()).toBe('one');
    store.setPrompt('two');
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(storage.savedPrompt()).toBe('two');
    stop();
    store.setPrompt('three');
    page.window.dispatchEvent(new Event('pagehide'));
    expect(storage.savedPrompt()).toBe('two');
  });

  it('reports a full localStorage and keeps the text in memory', async () => {
    const errors: DraftStoreError[] = [];
    storage.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    const store = open({ onError: (error) => errors.push(error) });
    store.setPrompt('long text');
    store.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'DraftStoreError', reason: 'storage-full' });
    expect((await store.loadDraft()).prompt).toBe('long text');
  });

  it('starts empty from missing or corrupt storage', async () => {
    expect(await open().loadDraft()).toEqual({ prompt: '', rewriterId: null, image: null, savedAt: null });
    storage.values.set(DEFAULT_DRAFT_STORAGE_KEY, '{not json');
    expect((await open().loadDraft()).prompt).toBe('');
    storage.values.set(DEFAULT_DRAFT_STORAGE_KEY, JSON.stringify({ prompt: 42, rewriterId: ['x'] }));
    expect(await open().loadDraft()).toMatchObject({ prompt: '', rewriterId: null });
  });
});

describe('draft after a reload', () => {
  it('brings back the prompt, the rewriter and the image', async () => {
    const before = open();
    before.setPrompt('How long would it take to reach the water from up here?');
    before.setRewriterId('static-defence');
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    await before.setImage(new File([bytes], 'bridge.png', { type: 'image/png', lastModified: 1_700_000_000_000 }));
    before.flush(); // what the pagehide listener does

    // The reload: a new store over the same storage and database.
    const draft = await open().loadDraft();
    expect(draft).toMatchObject({ prompt: 'How long would it take to reach the water from up here?', rewriterId: 'static-defence' });
    expect(draft.savedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(draft.image).toBeInstanceOf(File);
    expect(draft.image).toMatchObject({ name: 'bridge.png', type: 'image/png', lastModified: 1_700_000_000_000 });
    expect(new Uint8Array(await draft.image!.arrayBuffer())).toEqual(bytes);
  });

  it('keeps the last image when several are set in quick succession, and forgets a removed one', async () => {
    const store = open();
    void store.setImage(new File(['a'], 'a.png', { type: 'image/png' }));
    void store.setImage(new File(['b'], 'b.png', { type: 'image/png' }));
    await store.setImage(new File(['c'], 'c.png', { type: 'image/png' }));
    expect((await open().loadDraft()).image?.name).toBe('c.png');
    await store.setImage(null);
    expect((await open().loadDraft()).image).toBeNull();
  });

  it('reads a stored image that is not one as no image', async () => {
    await open().setImage(new File(['a'], 'a.png', { type: 'image/png' }));
    const raw = await openDB(dbName);
    await raw.put('images', { blob: 'not a blob', name: 'a.png', type: 'image/png', lastModified: 0 }, 'current');
    raw.close();
    expect((await open().loadDraft()).image).toBeNull();
  });

  it('clear() forgets text and image', async () => {
    const store = open();
    store.setPrompt('x');
    store.flush();
    await store.setImage(new File(['a'], 'a.png', { type: 'image/png' }));
    await store.clear();
    expect(await open().loadDraft()).toEqual({ prompt: '', rewriterId: null, image: null, savedAt: null });
  });

  it('close() flushes pending text', () => {
    const store = open();
    store.setPrompt('closing');
    store.close();
    expect(storage.savedPrompt()).toBe('closing');
  });
});

describe('draft saves that fail', () => {
  function failImageWrites() {
    return vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
  }

  it('reports an image that could not be saved, and saves it on retry()', async () => {
    const errors: DraftStoreError[] = [];
    let recovered = 0;
    const store = open({ onError: (error) => errors.push(error), onRecovered: () => (recovered += 1) });
    const put = failImageWrites();
    await expect(store.setImage(new File(['a'], 'a.png', { type: 'image/png' }))).rejects.toMatchObject({ reason: 'storage-full' });
    expect(errors.map((error) => error.message)).toEqual(['The image could not be saved for after a reload: storage is full.']);
    expect(recovered).toBe(0);

    put.mockRestore();
    await store.retry();
    expect(recovered).toBe(1);
    expect((await open().loadDraft()).image?.name).toBe('a.png');
  });

  it('retries a failed image with the next change of the draft', async () => {
    let recovered = 0;
    const store = open({ onRecovered: () => (recovered += 1) });
    const put = failImageWrites();
    await store.setImage(new File(['a'], 'a.png', { type: 'image/png' })).catch(() => undefined);
    put.mockRestore();
    store.setRewriterId('static-defence');
    await expect.poll(() => recovered).toBe(1);
    expect((await open().loadDraft()).image?.name).toBe('a.png');
  });

  it('a newer image replaces a failed one: the retry saves the newer one', async () => {
    const store = open();
    const put = failImageWrites();
    await store.setImage(new File(['a'], 'a.png', { type: 'image/png' })).catch(() => undefined);
    put.mockRestore();
    await store.setImage(new File(['b'], 'b.png', { type: 'image/png' }));
    await store.retry();
    expect((await open().loadDraft()).image?.name).toBe('b.png');
  });

  it('text that could not be saved is saved on retry(), which reports the recovery', async () => {
    const errors: DraftStoreError[] = [];
    let recovered = 0;
    const setItem = storage.setItem.bind(storage);
    storage.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    const store = open({ onError: (error) => errors.push(error), onRecovered: () => (recovered += 1) });
    store.setPrompt('kept in memory');
    store.flush();
    expect(errors).toHaveLength(1);
    await expect(store.retry()).rejects.toMatchObject({ reason: 'storage-full' });
    expect(recovered).toBe(0);

    storage.setItem = setItem;
    await store.retry();
    expect(recovered).toBe(1);
    expect(storage.savedPrompt()).toBe('kept in memory');
  });
});
