import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readHistoryImportFile } from '../../src/app/history-files.ts';
import { createHistorySession, type HistorySession } from '../../src/app/history-session.ts';
import { openHistoryStore } from '../../src/app/history-store.ts';
import {
  HISTORY_IMPORT_MAX_BYTES,
  checkHistoryImportSize,
  describeHistoryImport,
  readHistoryExport,
} from '../../src/core/history-import.ts';
import { exportHistoryJson } from '../../src/core/report-export.ts';
import { EXPORTED_AT, bridge, fallback, kitchen } from '../support/report-records.ts';

const exported = exportHistoryJson([bridge, kitchen, fallback], { exportedAt: EXPORTED_AT });
/** What each record is once exported: the export leaves the model's copy of the image at home. */
const asExported = (JSON.parse(exported) as { records: unknown[] }).records;

function refusal(fileName: string, text: string): string {
  const reading = readHistoryExport(fileName, text);
  if (reading.ok) throw new Error(`${fileName} was read`);
  return reading.message;
}

describe('readHistoryExport', () => {
  it('reads back every record of an export, in order, with its id', () => {
    const reading = readHistoryExport('vlmguard-history.json', exported);
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.records.map((record) => record.id)).toEqual(['bridge', 'kitchen', 'fallback']);
    expect(reading.records).toEqual(asExported);
    expect(reading.records[1]).toEqual(kitchen);
  });

  it('reads the export of a single record', () => {
    const reading = readHistoryExport('one.json', exportHistoryJson([kitchen]));
    expect(reading).toEqual({ ok: true, records: [kitchen] });
  });

  it('says a file that is not JSON is not an export, and names it', () => {
    const png = String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13);
    expect(refusal('x.png', png)).toBe(
      'x.png is not a VLMGuard history export: it is not JSON. A history export is the file that the JSON button under History → Export all saves.',
    );
    expect(refusal('report.html', '<!doctype html><p>hi</p>')).toMatch(/^report\.html is not a VLMGuard history export: it is not JSON\./);
  });

  it('says a JSON file of another kind is not an export', () => {
    for (const text of ['[]', '{"records": []}', '{"format": "something-else", "records": []}', '"vlmguard-history"', 'null']) {
      expect(refusal('data.json', text)).toBe('data.json is not a VLMGuard history export. A history export is the file that the JSON button under History → Export all saves.');
    }
  });

  it('says a cut or edited export is not valid JSON', () => {
    expect(refusal('cut.json', exported.slice(0, 200))).toMatch(/^cut\.json is not valid JSON \(.+\); was it cut short or edited\?$/);
  });

  it('says an empty file is empty', () => {
    expect(refusal('empty.json', '')).toMatch(/^empty\.json is empty\./);
    expect(refusal('blank.json', ' \n\t')).toMatch(/^blank\.json is empty\./);
  });

  it('names the record and the field that is wrong, and imports nothing', () => {
    const file = JSON.parse(exported) as { records: Array<Record<string, unknown>> };
    file.records[2] = { ...file.records[2], backend: { kind: 'tpu', reason: 'x' } };
    expect(refusal('x.json', JSON.stringify(file))).toBe('x.json, record 3: backend.kind is unknown. Nothing was imported.');
    file.records[2] = { ...file.records[0], prompt: 42 };
    expect(refusal('x.json', JSON.stringify(file))).toBe('x.json, record 3: prompt is not a string. Nothing was imported.');
    file.records[2] = { ...file.records[0], schemaVersion: 9 };
    expect(refusal('x.json', JSON.stringify(file))).toBe(
      'x.json, record 3: was written by a newer version of VLMGuard (schemaVersion 9 is newer than 1). Nothing was imported.',
    );
  });

  it('says what is damaged in the file itself, and refuses a newer format version', () => {
    expect(refusal('x.json', '{"format": "vlmguard-history", "schemaVersion": 1, "records": {}}')).toBe(
      'x.json is a damaged VLMGuard history export: records is not a list.',
    );
    expect(refusal('x.json', '{"format": "vlmguard-history", "schemaVersion": 1}')).toBe('x.json is a damaged VLMGuard history export: records is missing.');
    expect(refusal('x.json', '{"format": "vlmguard-history", "schemaVersion": 7, "records": []}')).toMatch(
      /^x\.json was exported by a newer version of VLMGuard \(schema 7; this one reads up to 1\)\./,
    );
  });

  it('refuses an empty or too large file before reading it', () => {
    expect(checkHistoryImportSize('a.json', 1000)).toBeNull();
    expect(checkHistoryImportSize('a.json', HISTORY_IMPORT_MAX_BYTES)).toBeNull();
    expect(checkHistoryImportSize('a.json', 0)).toMatch(/^a\.json is empty\./);
    expect(checkHistoryImportSize('big.json', 60 * 1024 * 1024)).toBe('big.json is too large to import (60.0 MB; the limit is 50.0 MB).');
  });

  it('says how many were added and how many were already there', () => {
    expect(describeHistoryImport('h.json', { added: 3, skipped: 0 })).toBe('Imported 3 rewrites from h.json.');
    expect(describeHistoryImport('h.json', { added: 1, skipped: 2 })).toBe('Imported 1 rewrite from h.json; 2 were already in history.');
    expect(describeHistoryImport('h.json', { added: 2, skipped: 1 })).toBe('Imported 2 rewrites from h.json; 1 was already in history.');
    expect(describeHistoryImport('h.json', { added: 0, skipped: 3 })).toBe('Nothing new in h.json: its 3 rewrites are already in history.');
    expect(describeHistoryImport('h.json', { added: 0, skipped: 0 })).toBe('h.json holds no rewrites; nothing was imported.');
  });
});

describe('readHistoryImportFile', () => {
  it('reads a chosen file, and checks its size before reading it', async () => {
    expect(await readHistoryImportFile(new File([exported], 'h.json'))).toMatchObject({ ok: true, records: asExported });
    const huge = new File(['{}'], 'huge.json');
    Object.defineProperty(huge, 'size', { value: HISTORY_IMPORT_MAX_BYTES + 1 });
    const text = vi.spyOn(huge, 'text');
    expect(await readHistoryImportFile(huge)).toEqual({ ok: false, message: 'huge.json is too large to import (50.0 MB; the limit is 50.0 MB).' });
    expect(text).not.toHaveBeenCalled();
  });
});

describe('importing into history', () => {
  let dbName: string;
  let dbCounter = 0;
  const sessions: HistorySession[] = [];

  beforeEach(() => {
    dbCounter += 1;
    dbName = `history-import-test-${dbCounter}`;
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const session of sessions.splice(0)) session.close();
  });

  function start(): HistorySession {
    const session = createHistorySession(() => openHistoryStore(dbName), { undoMs: 60_000 });
    sessions.push(session);
    session.start();
    return session;
  }

  const records = () => {
    const reading = readHistoryExport('h.json', exported);
    if (!reading.ok) throw new Error(reading.message);
    return reading.records;
  };

  async function listAfterReload(): Promise<string[]> {
    const store = await openHistoryStore(dbName);
    try {
      return (await store.list()).map((saved) => saved.id);
    } finally {
      store.close();
    }
  }

  it('adds the records with their ids, saved, newest first', async () => {
    const session = start();
    expect(await session.importRecords(records())).toEqual({ added: 3, skipped: 0 });
    expect(session.getSnapshot().records.map((saved) => saved.id).sort()).toEqual(['bridge', 'fallback', 'kitchen']);
    expect(session.getSnapshot().problem).toBeNull();
    expect((await listAfterReload()).sort()).toEqual(['bridge', 'fallback', 'kitchen']);
  });

  it('skips what is already there, so importing the same file twice adds nothing', async () => {
    const session = start();
    await session.save(bridge);
    expect(await session.importRecords(records())).toEqual({ added: 2, skipped: 1 });
    expect(await session.importRecords(records())).toEqual({ added: 0, skipped: 3 });
    expect(session.getSnapshot().records).toHaveLength(3);
    // The entry that was there keeps what the export leaves out: the model's copy of the image.
    expect(session.getSnapshot().records.find((saved) => saved.id === 'bridge')?.image.modelImageDataUrl).toBe(bridge.image.modelImageDataUrl);
  });

  it('counts a record listed twice in one file once', async () => {
    const session = start();
    expect(await session.importRecords([kitchen, kitchen, fallback])).toEqual({ added: 2, skipped: 1 });
  });

  it('brings back an entry deleted in this tab, and ends its Undo', async () => {
    const session = start();
    await session.save(kitchen);
    await session.remove('kitchen');
    expect(session.getSnapshot().deleted?.id).toBe('kitchen');
    expect(await session.importRecords([kitchen])).toEqual({ added: 1, skipped: 0 });
    expect(session.getSnapshot().deleted).toBeNull();
    // A later edit of it is saved like any other: it is no longer a deleted entry.
    await session.update('kitchen', (saved) => ({ ...saved, editedPrompt: 'An edit after the import.' }));
    const store = await openHistoryStore(dbName);
    expect((await store.get('kitchen'))?.editedPrompt).toBe('An edit after the import.');
    store.close();
  });

  it('keeps imported records in the tab when storage is full, says so, and saves them with Retry', async () => {
    const session = start();
    await session.save(bridge);
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    expect(await session.importRecords(records())).toEqual({ added: 2, skipped: 1 });
    expect(session.getSnapshot()).toMatchObject({ unsavedCount: 2, problem: expect.stringContaining('Storage is full') });
    expect(session.getSnapshot().records).toHaveLength(3);
    put.mockRestore();
    await session.retry();
    expect(session.getSnapshot()).toMatchObject({ unsavedCount: 0, problem: null });
    expect((await listAfterReload()).sort()).toEqual(['bridge', 'fallback', 'kitchen']);
  });
});
