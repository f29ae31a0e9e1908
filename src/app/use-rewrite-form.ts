import { useState } from 'react';
import { restoreDraftText, type FormText } from './draft-restore.ts';
import { readSelectedImage, type SelectedImage } from './read-image.ts';
import { useDraft } from './use-draft.ts';

/** The inputs the user is working on, saved as a draft as they change and restored after a reload. */
export function useRewriteForm() {
  const [image, setImageState] = useState<SelectedImage | null>(null);
  const [text, setText] = useState<FormText>({ prompt: '', rewriterChoice: null });
  const [imageError, setImageError] = useState<string | null>(null);

  const draft = useDraft(async (saved) => {
    setText((current) => restoreDraftText(current, saved));
    if (saved.image) {
      const read = await readSelectedImage(saved.image);
      if (read.ok) setImageState((chosen) => chosen ?? read.image);
    }
  });

  return {
    image,
    prompt: text.prompt,
    /** The picker's choice; null until the user picks (the device's recommendation applies). */
    rewriterChoice: text.rewriterChoice,
    imageError,
    setImageError,
    /** A draft save that failed; the inputs are still here, and Retry (or the next change) saves them. */
    draftProblem: draft.problem,
    retryDraft: draft.retry,
    setPrompt: (prompt: string) => {
      setText((current) => ({ ...current, prompt }));
      draft.savePrompt(prompt);
    },
    setImage: (selected: SelectedImage) => {
      setImageState(selected);
      setImageError(null);
      draft.saveImage(selected.file);
    },
    setRewriterChoice: (id: string) => {
      setText((current) => ({ ...current, rewriterChoice: id }));
      draft.saveRewriterId(id);
    },
  };
}
