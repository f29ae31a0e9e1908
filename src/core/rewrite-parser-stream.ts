import type { RiskCategory, RiskLevel, SectionName } from './rewrite-format.ts';
import type { SectionTag } from './rewrite-parser-tags.ts';
import { parseRewriteOutput, type AnalysisTextSection, type ParsedRewrite } from './rewrite-parser.ts';

/** A change between two parses of a growing output, for a caller that reacts as it streams (the command line). */
export type RewriteStreamEvent =
  /** The output is not a continuation of the previous one (e.g. a late `</think>` hid earlier text): start from empty. */
  | { type: 'reset' }
  /** The first visible output arrived. */
  | { type: 'output-started' }
  /** The cursor moved to another section (null: before the first tag or after [END]). */
  | { type: 'section-opened'; section: SectionName | null; sectionsSeen: readonly SectionTag[]; tagsInRefined: boolean }
  /** An analysis section's text changed; `text` is all of it so far. */
  | { type: 'analysis-text'; section: AnalysisTextSection; text: string }
  | { type: 'level'; level: RiskLevel | null }
  | { type: 'category'; category: RiskCategory | null }
  /** The refined prompt's text changed; `text` is all of it so far. */
  | { type: 'refined-text'; text: string | null }
  /** The refined prompt was closed by a later tag or [END]. */
  | { type: 'refined-complete'; refinedPrompt: string };

export const EMPTY_PARSED_REWRITE: ParsedRewrite = parseRewriteOutput('');

const ANALYSIS_TEXT_SECTIONS: readonly AnalysisTextSection[] = ['textual', 'visual', 'crossModal', 'summary'];

/** The events that take `previous` to `next`; applying them to `previous` gives a state equal to `next`. */
export function diffParsedRewrite(previous: ParsedRewrite, next: ParsedRewrite): RewriteStreamEvent[] {
  if (!continues(previous, next)) return [{ type: 'reset' }, ...diffParsedRewrite(EMPTY_PARSED_REWRITE, next)];
  const events: RewriteStreamEvent[] = [];
  if (!previous.hasOutput && next.hasOutput) events.push({ type: 'output-started' });
  if (
    previous.openSection !== next.openSection ||
    previous.sectionsSeen.length !== next.sectionsSeen.length ||
    previous.tagsInRefined !== next.tagsInRefined
  ) {
    events.push({ type: 'section-opened', section: next.openSection, sectionsSeen: next.sectionsSeen, tagsInRefined: next.tagsInRefined });
  }
  for (const section of ANALYSIS_TEXT_SECTIONS) {
    if (previous[section] !== next[section]) {
      events.push({ type: 'analysis-text', section, text: next[section] });
    }
  }
  if (previous.level !== next.level) events.push({ type: 'level', level: next.level });
  if (previous.category !== next.category) {
    events.push({ type: 'category', category: next.category });
  }
  if (previous.refinedPrompt !== next.refinedPrompt) events.push({ type: 'refined-text', text: next.refinedPrompt });
  if (!previous.refinedComplete && next.refinedComplete && next.refinedPrompt !== null) {
    events.push({ type: 'refined-complete', refinedPrompt: next.refinedPrompt });
  }
  return events;
}

/** Whether `next` can follow `previous` with the events above: nothing seen is ever unseen. */
function continues(previous: ParsedRewrite, next: ParsedRewrite): boolean {
  return (
    previous.sectionsSeen.every((tag, index) => next.sectionsSeen[index] === tag) &&
    (!previous.hasOutput || next.hasOutput) &&
    (previous.refinedPrompt === null || next.refinedPrompt !== null) &&
    (!previous.refinedComplete || next.refinedComplete)
  );
}
