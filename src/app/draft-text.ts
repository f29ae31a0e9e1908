import * as v from 'valibot';

/** The part of the Web Storage API used here (localStorage in the app, a fake in tests). */
export type DraftTextStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The text of a draft, as stored in localStorage: a field that is missing or not of its type reads as empty. */
const DraftTextSchema = v.object({
  prompt: v.fallback(v.string(), ''),
  rewriterId: v.fallback(v.nullable(v.string()), null),
  /** ISO time of the last text save; null when there is no draft. */
  savedAt: v.fallback(v.nullable(v.string()), null),
});

export type DraftText = v.InferOutput<typeof DraftTextSchema>;

export const EMPTY_DRAFT_TEXT: DraftText = { prompt: '', rewriterId: null, savedAt: null };

const DRAFT_TEXT_VERSION = 1;

/** The saved text; empty when there is none, it is unreadable, or storage is disabled by the user or policy. */
export function readDraftText(storage: DraftTextStorage, key: string): DraftText {
  try {
    const raw = storage.getItem(key);
    if (raw === null) return EMPTY_DRAFT_TEXT;
    const stored = v.safeParse(DraftTextSchema, JSON.parse(raw));
    return stored.success ? stored.output : EMPTY_DRAFT_TEXT;
  } catch {
    return EMPTY_DRAFT_TEXT;
  }
}

/** Throws what storage throws (a full quota, storage disabled). */
export function writeDraftText(storage: DraftTextStorage, key: string, text: DraftText): void {
  storage.setItem(key, JSON.stringify({ version: DRAFT_TEXT_VERSION, ...text }));
}
