import { useId, useState } from 'react';
import { isChosenStaticDefence, outcomeExplanation, outcomeTitle } from '../core/outcome-label.ts';
import type { RewriteResult } from '../core/rewrite-format.ts';
import { PromptDiffView } from './prompt-diff-view.tsx';

interface RefinedPromptViewProps {
  originalPrompt: string;
  rewrite: RewriteResult;
  /** Called when the user leaves the editor after changing the prompt. */
  onEditCommitted: (edited: string) => void;
}

/** The outcome, a diff against the original, and an editable copy of the refined prompt. */
export function RefinedPromptView({ originalPrompt, rewrite, onEditCommitted }: RefinedPromptViewProps) {
  const editorId = useId();
  // Keyed by the parent on each new result, so edits start from the latest rewrite.
  const [edited, setEdited] = useState(rewrite.refinedPrompt);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(edited);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <section className="refined" aria-label="Refined prompt">
      <div className={`outcome outcome-${isChosenStaticDefence(rewrite) ? 'chosen' : rewrite.outcome}`} data-testid="rewrite-outcome">
        <strong>{outcomeTitle(rewrite)}</strong>
        <span data-testid="decision-reason">{outcomeExplanation(rewrite)}</span>
      </div>
      <PromptDiffView original={originalPrompt} refined={edited} />
      <div className="field">
        <label htmlFor={editorId}>Refined prompt (editable)</label>
        <textarea
          id={editorId}
          rows={4}
          value={edited}
          onChange={(event) => {
            setEdited(event.target.value);
            setCopied(null);
          }}
          onBlur={() => onEditCommitted(edited)}
        />
      </div>
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <span role="status" className="muted">
          {copied === 'copied' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copy failed: select the text and copy it.' : ''}
        </span>
      </div>
    </section>
  );
}
