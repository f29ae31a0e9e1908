import { errorMessage, isQuotaExceeded } from '../core/error-facts.ts';
import { openDraftImageDb } from './draft-image-db.ts';
import { EMPTY_DRAFT_TEXT, readDraftText, writeDraftText, type DraftTextStorage } from './draft-text.ts';

export type { DraftTextStorage } from './draft-text.ts';

/**
 * The work in progress, kept across reloads and crashes.
 *
 * Storage split: the text (prompt and chosen rewriter) goes to localStorage, because only a
 * synchronous write is sure to land from a `pagehide` handler, and it is a few kilobytes; the
 * image goes to IndexedDB as a Blob (localStorage holds only strings, ~5 MB in all). Typing is
 * saved 300 ms after the last keystroke, at least once a second while typing goes on, and at once
 * on flush(). Two tabs share one draft: the last to write wins.
 */
export interface DraftStore {
  /** The saved draft: text at once from localStorage, the image from IndexedDB. */
  loadDraft(): Promise<Draft>;
  /** Debounced save of the prompt being typed. */
  setPrompt(prompt: string): void;
  /** Saved at once (a click, not typing). */
  setRewriterId(id: string | null): void;
  /** Saves (or with null removes) the image; resolves when stored, rejects with a DraftStoreError. */
  setImage(image: File | null): Promise<void>;
  /** Writes pending text now, synchronously: call from `pagehide` and `visibilitychange`. */
  flush(): void;
  /** Saves again whatever failed to save (text and image); rejects with a DraftStoreError if it still fails. */
  retry(): Promise<void>;
  /** Forgets the whole draft. */
  clear(): Promise<void>;
  close(): void;
}

export interface Draft {
  prompt: string;
  rewriterId: string | null;
  image: File | null;
  /** ISO time of the last text save; null when there is no draft. */
  savedAt: string | null;
}

export interface DraftStoreOptions {
  dbName?: string;
  storage?: DraftTextStorage;
  storageKey?: string;
  debounceMs?: number;
  /** The longest a prompt waits while typing continues. */
  maxWaitMs?: number;
  /**
   * Every failed save: debounced and flushed text, and images (whose setImage() also rejects). What
   * failed stays in memory and is saved again with the next change or by retry().
   */
  onError?: (error: DraftStoreError) => void;
  /** Called when everything that had failed to save is saved again. */
  onRecovered?: () => void;
}

export class DraftStoreError extends Error {
  override readonly name = 'DraftStoreError';
  readonly reason: 'storage-full' | 'write-failed';

  constructor(reason: 'storage-full' | 'write-failed', message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.reason = reason;
  }
}

export const DEFAULT_DRAFT_DB_NAME = 'vlmguard-draft';
export const DEFAULT_DRAFT_STORAGE_KEY = 'vlmguard:draft';
export const DRAFT_DEBOUNCE_MS = 300;
export const DRAFT_MAX_WAIT_MS = 1000;

export function openDraftStore(options: DraftStoreOptions = {}): DraftStore {
  const dbName = options.dbName ?? DEFAULT_DRAFT_DB_NAME;
  const storage = options.storage ?? globalThis.localStorage;
  const storageKey = options.storageKey ?? DEFAULT_DRAFT_STORAGE_KEY;
  const debounceMs = options.debounceMs ?? DRAFT_DEBOUNCE_MS;
  const maxWaitMs = options.maxWaitMs ?? DRAFT_MAX_WAIT_MS;
  const report = options.onError ?? (() => undefined);
  const recovered = options.onRecovered ?? (() => undefined);

  // Read once, synchronously, so a change made before loadDraft() resolves cannot overwrite the saved prompt.
  let text = readDraftText(storage, storageKey);
  let dirtySince: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const images = openDraftImageDb(dbName);
  // Image writes run one after another, so the last setImage() call is what stays stored.
  let imageWrites: Promise<unknown> = Promise.resolve();
  let imageRequest = 0;
  // What failed to save and waits in memory for a retry.
  let textFailed = false;
  let failedImage: { image: File | null } | null = null;
  let failing = false;

  const fail = (error: DraftStoreError) => {
    failing = true;
    report(error);
  };
  const checkRecovered = () => {
    if (!failing || textFailed || failedImage) return;
    failing = false;
    recovered();
  };

  const cancelTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  /** Writes the text now; returns the error instead of throwing, for flush() and retry(). */
  const writeText = (): DraftStoreError | null => {
    cancelTimer();
    dirtySince = null;
    text = { ...text, savedAt: new Date().toISOString() };
    try {
      writeDraftText(storage, storageKey, text);
    } catch (error) {
      textFailed = true;
      const failure = describeError(error, 'The prompt you are typing could not be saved');
      fail(failure);
      return failure;
    }
    textFailed = false;
    checkRecovered();
    return null;
  };

  const flush = () => {
    cancelTimer();
    if (dirtySince !== null) writeText();
  };

  const markDirty = () => {
    const now = Date.now();
    dirtySince ??= now;
    cancelTimer();
    const wait = Math.max(0, Math.min(debounceMs, dirtySince + maxWaitMs - now));
    timer = setTimeout(flush, wait);
  };

  const enqueueImageWrite = (image: File | null): Promise<void> => {
    const run = imageWrites.then(async () => {
      try {
        await images.write(image);
      } catch (error) {
        throw describeError(error, 'The image could not be saved for after a reload');
      }
    });
    imageWrites = run.catch(() => undefined);
    return run;
  };

  const saveImage = (image: File | null): Promise<void> => {
    const request = ++imageRequest;
    return enqueueImageWrite(image).then(
      () => {
        // Only the latest image matters: an older one that failed is replaced by this one.
        if (request !== imageRequest) return;
        failedImage = null;
        checkRecovered();
      },
      (error: unknown) => {
        if (request === imageRequest) failedImage = { image };
        fail(error as DraftStoreError);
        throw error;
      },
    );
  };

  /** A change of the draft is also the moment to try again an image that failed (once at a time, not per keystroke). */
  let retryingImage = false;
  const retryFailedImage = () => {
    if (!failedImage || retryingImage) return;
    retryingImage = true;
    void saveImage(failedImage.image)
      .catch(() => undefined)
      .finally(() => (retryingImage = false));
  };

  return {
    async loadDraft() {
      await imageWrites;
      let image: File | null = null;
      try {
        image = await images.read();
      } catch {
        // A draft image is a convenience: without IndexedDB the text still comes back.
      }
      return { prompt: text.prompt, rewriterId: text.rewriterId, image, savedAt: text.savedAt };
    },
    setPrompt(prompt) {
      if (prompt === text.prompt) return;
      text = { ...text, prompt };
      markDirty();
      retryFailedImage();
    },
    setRewriterId(id) {
      if (id === text.rewriterId) return;
      text = { ...text, rewriterId: id };
      writeText();
      retryFailedImage();
    },
    setImage: saveImage,
    flush,
    async retry() {
      const textError = textFailed || dirtySince !== null ? writeText() : null;
      if (failedImage) await saveImage(failedImage.image);
      if (textError) throw textError;
    },
    async clear() {
      cancelTimer();
      dirtySince = null;
      text = EMPTY_DRAFT_TEXT;
      textFailed = false;
      failedImage = null;
      try {
        storage.removeItem(storageKey);
      } catch {
        // Nothing to do: removal cannot fail for lack of space.
      }
      await saveImage(null);
    },
    close() {
      flush();
      images.close();
    },
  };
}

/**
 * Flushes the draft whenever the page may be going away: `pagehide` (reload, close, navigation,
 * bfcache) and `visibilitychange` (the only event a mobile browser reliably sends before it kills a
 * background tab). Returns a function that removes the listeners.
 */
export function flushDraftOnPageHide(
  store: Pick<DraftStore, 'flush'>,
  targets: { window: EventTarget; document: EventTarget } = { window, document },
): () => void {
  const flush = () => store.flush();
  targets.window.addEventListener('pagehide', flush);
  targets.document.addEventListener('visibilitychange', flush);
  return () => {
    targets.window.removeEventListener('pagehide', flush);
    targets.document.removeEventListener('visibilitychange', flush);
  };
}

function describeError(error: unknown, what: string): DraftStoreError {
  if (isQuotaExceeded(error)) return new DraftStoreError('storage-full', `${what}: storage is full.`, { cause: error });
  return new DraftStoreError('write-failed', `${what}: ${errorMessage(error)}`, { cause: error });
}
