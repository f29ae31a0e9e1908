import type { Draft } from './draft-store.ts';

/** The form's text inputs that a draft brings back. */
export interface FormText {
  prompt: string;
  /** Null until the user picks a rewriter. */
  rewriterChoice: string | null;
}

/** Whatever the user did before the saved draft arrived wins over the draft: a typed prompt, a picked rewriter. */
export function restoreDraftText(current: FormText, saved: Pick<Draft, 'prompt' | 'rewriterId'>): FormText {
  return { prompt: current.prompt || saved.prompt, rewriterChoice: current.rewriterChoice ?? saved.rewriterId };
}
