import { useState } from 'react';
import { readSelectedImage, type SelectedImage } from './read-image.ts';
import { useDraft } from './use-draft.ts';

/** The inputs the user is working on, saved as a draft as they change and restored after a reload. */
export function useRewriteForm() {
  const [image, setImageState] = useState<SelectedImage | null>(null);
  const [prompt, setPromptState] = useState('');
  const [rewriterChoice, setRewriterChoiceState] = useState<string | null>(null);
  const [imageError, setImageError] = useState<string | null>(null);

  const draft = useDraft(async (saved) => {
    if (saved.rewriterId) setRewriterChoiceState(saved.rewriterId);
    // Whatever the user did before the draft arrived wins over the draft.
    setPromptState((typed) => typed || saved.prompt);
    if (saved.image) {
      const read = await readSelectedImage(saved.image);
      if (read.ok) setImageState((chosen) => chosen ?? read.image);
    }
  });

  return {
    image,
    prompt,
    /** The picker's choice; null until the user picks (the device's recommendation applies). */
    rewriterChoice,
    imageError,
    setImageError,
    setPrompt: (text: string) => {
      setPromptState(text);
      draft.savePrompt(text);
    },
    setImage: (selected: SelectedImage) => {
      setImageState(selected);
      setImageError(null);
      draft.saveImage(selected.file);
    },
    setRewriterChoice: (id: string) => {
      setRewriterChoiceState(id);
      draft.saveRewriterId(id);
    },
  };
}
