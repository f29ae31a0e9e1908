import { planPromptDiff, type DiffPart } from './prompt-diff.ts';
import { html, type Markup } from './report-html-markup.ts';

/*
 * The "Changes" of a case in the HTML report, laid out as the app lays them out (planPromptDiff): a word diff for
 * a small edit, and for a substantial rewrite the two prompts side by side, each with its own changes marked.
 * Marks carry words for screen readers and print, not colour alone.
 */

const LEGEND = html`<p class="legend">Struck through: removed. Underlined: added.</p>`;

/** The diff of `refined` against `original`, or null when nothing changed. */
export function changesMarkup(original: string, refined: string): Markup | null {
  const diff = planPromptDiff(original, refined);
  if (diff.layout === 'inline') {
    if (diff.parts.every((part) => part.kind === 'same')) return null;
    return html`<p class="diff">${diff.parts.map(mark)}</p>${LEGEND}`;
  }
  const side = (title: string, parts: readonly DiffPart[]) => html`<div><h4>${title}</h4><p class="diff">${parts.map(mark)}</p></div>`;
  return html`<p>Most of the prompt was rewritten, so the two are shown side by side.</p>
<div class="side-by-side">${side('Original', diff.original)}${side('Refined', diff.refined)}</div>${LEGEND}`;
}

function mark(part: DiffPart): Markup {
  if (part.kind === 'added') return html`<ins><span class="sr-only">added: </span>${part.text}</ins>`;
  if (part.kind === 'removed') return html`<del><span class="sr-only">removed: </span>${part.text}</del>`;
  return html`${part.text}`;
}
