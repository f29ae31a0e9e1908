import { useMemo } from 'react';
import { planPromptDiff, summarizePromptDiff, type DiffPart } from '../core/prompt-diff.ts';
import './result.css';

interface PromptDiffViewProps {
  original: string;
  refined: string;
}

/**
 * Your prompt against the refined one: a word diff for a small edit, the two side by side for a substantial rewrite.
 * Removed words are struck through and added ones underlined, and each says so in words for screen readers.
 */
export function PromptDiffView({ original, refined }: PromptDiffViewProps) {
  const diff = useMemo(() => planPromptDiff(original, refined), [original, refined]);
  return (
    <div className="prompt-diff" data-testid="prompt-diff" data-layout={diff.layout}>
      <div className="diff-heading">
        <h2>Changes</h2>
        <span className="muted" data-testid="diff-summary">
          {summarizePromptDiff(diff)}
        </span>
      </div>
      {diff.layout === 'inline' ? (
        <p className="diff">
          <DiffParts parts={diff.parts} />
        </p>
      ) : (
        <div className="diff-columns">
          <div className="diff-column">
            <h3>Your prompt</h3>
            <p className="diff" data-testid="diff-original">
              <DiffParts parts={diff.original} />
            </p>
          </div>
          <div className="diff-column">
            <h3>Refined prompt</h3>
            <p className="diff" data-testid="diff-refined">
              <DiffParts parts={diff.refined} />
            </p>
          </div>
        </div>
      )}
    </div>
  );
}

function DiffParts({ parts }: { parts: readonly DiffPart[] }) {
  return parts.map((part, index) =>
    part.kind === 'added' ? (
      <ins key={index}>
        <span className="visually-hidden">[added: </span>
        {part.text}
        <span className="visually-hidden">]</span>
      </ins>
    ) : part.kind === 'removed' ? (
      <del key={index}>
        <span className="visually-hidden">[removed: </span>
        {part.text}
        <span className="visually-hidden">]</span>
      </del>
    ) : (
      <span key={index}>{part.text}</span>
    ),
  );
}
