/**
 * The rewriter's output format as one regular expression, for servers that constrain decoding by regex (vLLM's
 * `structured_outputs: { regex }`, formerly `guided_regex`): the same sections, order, values and level–category
 * coupling as the in-process plan (src/core/output-format-plan.ts), without its token budgets (max_tokens bounds the
 * whole). Plain groups and classes only, which every regex backend of those servers reads.
 */
import { RISK_CATEGORIES, RISK_LEVELS, SECTION_TAGS } from '../../src/core/rewrite-format.ts';

export const REWRITER_CONSTRAINTS = ['structured-outputs', 'guided-regex', 'none'] as const;
export type RewriterConstraint = (typeof REWRITER_CONSTRAINTS)[number];

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** One line of free text with something besides blanks in it: no bracket, no '<' (special tokens), no newline. */
const FREE_TEXT = '[^\\[\\]<\\n]*[^\\[\\]<\\n \\t][^\\[\\]<\\n]*';

export function rewriteFormatRegex(): string {
  const tag = (name: keyof typeof SECTION_TAGS) => escapeRegex(SECTION_TAGS[name]);
  const harmfulLevels = RISK_LEVELS.filter((level) => level !== 'none').map(escapeRegex).join('|');
  const harmfulCategories = Object.keys(RISK_CATEGORIES)
    .filter((category) => category !== 'none')
    .map(escapeRegex)
    .join('|');
  const verdict = `( none\\n${tag('category')} none| (${harmfulLevels})\\n${tag('category')} (${harmfulCategories}))`;
  return [
    `${tag('textual')}${FREE_TEXT}`,
    `${tag('visual')}${FREE_TEXT}`,
    `${tag('crossModal')}${FREE_TEXT}`,
    `${tag('level')}${verdict}`,
    `${tag('refined')}${FREE_TEXT}`,
    tag('end'),
  ].join('\\n');
}

/** The request fields that carry the constraint, by --rewriter-constraint. */
export function constraintBody(constraint: RewriterConstraint): Record<string, unknown> {
  switch (constraint) {
    case 'structured-outputs':
      return { structured_outputs: { regex: rewriteFormatRegex() } };
    case 'guided-regex':
      return { guided_regex: rewriteFormatRegex() };
    case 'none':
      return {};
  }
}
