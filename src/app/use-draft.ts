import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import { flushDraftOnPageHide, openDraftStore, type Draft, type DraftStore } from './draft-store.ts';

/**
 * Keeps the work in progress across reloads: `restore` gets the saved draft once, at start. A save
 * that fails is shown (`problem`); the draft stays in memory and is saved with the next change or by `retry`.
 */
export function useDraft(restore: (draft: Draft) => void) {
  const storeRef = useRef<DraftStore | null>(null);
  const onRestore = useEffectEvent(restore);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const store = openDraftStore({ onError: (error) => setProblem(error.message), onRecovered: () => setProblem(null) });
    storeRef.current = store;
    const unhook = flushDraftOnPageHide(store);
    let current = true;
    void store.loadDraft().then(
      (draft) => current && onRestore(draft),
      // loadDraft() reads what it can and never rejects for a missing image; nothing else to restore.
      () => undefined,
    );
    return () => {
      current = false;
      unhook();
      store.flush();
      store.close();
      storeRef.current = null;
    };
  }, []);

  // Failures of the calls below reach `problem` through onError; the catches only keep them from being unhandled.
  return {
    problem,
    retry: useCallback(() => void storeRef.current?.retry().catch(() => undefined), []),
    savePrompt: useCallback((prompt: string) => storeRef.current?.setPrompt(prompt), []),
    saveRewriterId: useCallback((id: string) => storeRef.current?.setRewriterId(id), []),
    saveImage: useCallback((image: File) => void storeRef.current?.setImage(image).catch(() => undefined), []),
  };
}
