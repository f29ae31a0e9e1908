import { useCallback, useEffect, useEffectEvent, useRef } from 'react';
import { flushDraftOnPageHide, openDraftStore, type Draft, type DraftStore } from './draft-store.ts';

/** Keeps the work in progress across reloads: `restore` gets the saved draft once, at start. */
export function useDraft(restore: (draft: Draft) => void) {
  const storeRef = useRef<DraftStore | null>(null);
  const onRestore = useEffectEvent(restore);

  useEffect(() => {
    const store = openDraftStore();
    storeRef.current = store;
    const unhook = flushDraftOnPageHide(store);
    let current = true;
    void store.loadDraft().then(
      (draft) => current && onRestore(draft),
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

  return {
    savePrompt: useCallback((prompt: string) => storeRef.current?.setPrompt(prompt), []),
    saveRewriterId: useCallback((id: string) => storeRef.current?.setRewriterId(id), []),
    saveImage: useCallback((image: File) => void storeRef.current?.setImage(image).catch(() => undefined), []),
  };
}
