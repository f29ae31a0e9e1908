import type { RiskAnalysis, SectionName } from './rewrite-format.ts';
import { parseRiskCategory, parseRiskLevel, readCategoryField, readLevelField, unwrapPrompt, type CategoryField, type LevelField } from './rewrite-parser-fields.ts';
import { findTags, holdBackPartialSectionTag, visibleOutput, type SectionTag, type TagMatch } from './rewrite-parser-tags.ts';

/** The free-text analysis sections: the three of full reasoning and the one of brief. */
export type AnalysisTextSection = 'textual' | 'visual' | 'crossModal' | 'summary';

/**
 * What the model's output says so far. A pure function of the text: streaming re-parses the
 * accumulated text after each chunk.
 *
 * Rules (also in the tests):
 * - Reasoning in `<think>…</think>` is removed, and so is everything after an unclosed `<think>`;
 *   a `</think>` with no opening tag before it (templates that open the block in the prompt)
 *   removes everything before it.
 * - Text before the first tag is ignored; so is everything after the first [END].
 * - Tags are matched in any case, with spaces, `_` or `-` between and inside the brackets,
 *   anywhere in a line, with markdown (`**`, `__`, `#`) around them and a `:` after them.
 * - A tag, or `<think>`, cut off at the end of the text (`[REFI`, `**[`, `<thi`) is held back
 *   until it is complete, so it never leaks into the section before it.
 * - Repeated analysis sections: the first non-empty occurrence wins. Level and category: the
 *   first occurrence that names a value wins. Refined prompt: the first occurrence that is
 *   closed (by any later tag or [END]) and non-empty; until there is one, the latest occurrence.
 * - Level and category are read from whole words (`parseRiskLevel`, `parseRiskCategory`), as soon
 *   as the word is there; text that names no category reads as 'other' once its section is closed.
 */
export interface ParsedRewrite extends RiskAnalysis {
  /** The brief mode's [RISK ANALYSIS]; empty when the output has none. */
  summary: string;
  /** Null until the [REFINED PROMPT] tag appears; trimmed, wrapping quotes or fences removed. */
  refinedPrompt: string | null;
  /** The refined prompt is non-empty and closed by a later tag or [END] (end of stream is the policy's call). */
  refinedComplete: boolean;
  /** Each tag once, in the order it first appeared, [END] included. */
  sectionsSeen: readonly SectionTag[];
  /** The section the stream is writing now, for a live cursor; null before the first tag and after [END]. */
  openSection: SectionName | null;
  /** Anything but whitespace remains after reasoning blocks and held-back partial tags are removed. */
  hasOutput: boolean;
  /**
   * Between the first [REFINED PROMPT] and the [END] after it stands a tag seen before it, or a second [REFINED
   * PROMPT]: the refined prompt holds format tags. (New sections there are only a model writing them out of order.)
   */
  tagsInRefined: boolean;
}

interface Segment {
  tag: SectionName;
  content: string;
  closed: boolean;
}

export function parseRewriteOutput(text: string): ParsedRewrite {
  const visible = visibleOutput(text);
  const tags = findTags(visible);

  const segments: Segment[] = [];
  const sectionsSeen: SectionTag[] = [];
  let ended = false;
  for (const [index, match] of tags.entries()) {
    if (!sectionsSeen.includes(match.tag)) sectionsSeen.push(match.tag);
    if (match.tag === 'end') {
      ended = true;
      break;
    }
    const next = tags[index + 1];
    const raw = visible.slice(match.end, next?.start ?? visible.length);
    segments.push({ tag: match.tag, content: (next ? raw : holdBackPartialSectionTag(raw)).trim(), closed: next !== undefined });
  }

  const preamble = visible.slice(0, tags[0]?.start ?? visible.length);
  const lastSegment = segments[segments.length - 1];
  const refined = chooseRefinedPrompt(segments.filter((segment) => segment.tag === 'refined'));
  return {
    textual: chooseText(segments, 'textual'),
    visual: chooseText(segments, 'visual'),
    crossModal: chooseText(segments, 'crossModal'),
    summary: chooseText(segments, 'summary'),
    level: chooseValue(segments, 'level', parseRiskLevel),
    category: chooseValue(segments, 'category', parseRiskCategory),
    refinedPrompt: refined.text,
    refinedComplete: refined.complete,
    sectionsSeen,
    openSection: ended || !lastSegment ? null : lastSegment.tag,
    hasOutput: tags.length > 0 || holdBackPartialSectionTag(preamble).trim() !== '',
    tagsInRefined: hasTagsInRefined(tags),
  };
}

function hasTagsInRefined(tags: readonly TagMatch[]): boolean {
  const first = tags.findIndex((match) => match.tag === 'refined');
  if (first === -1) return false;
  const before = new Set(tags.slice(0, first + 1).map((match) => match.tag));
  for (const match of tags.slice(first + 1)) {
    if (match.tag === 'end') return false;
    if (before.has(match.tag)) return true;
    before.add(match.tag);
  }
  return false;
}

/**
 * The raw text from the first [REFINED PROMPT] tag to the [END] after it (or the end), reasoning tags included: what
 * the model wrote as its refined prompt before any cleaning.
 */
export function rawRefinedSpan(text: string): string {
  const tags = findTags(text);
  const first = tags.findIndex((match) => match.tag === 'refined');
  const refined = tags[first];
  if (!refined) return '';
  const end = tags.slice(first + 1).find((match) => match.tag === 'end');
  return text.slice(refined.end, end?.start ?? text.length);
}

/** What every level and category field of an output says, wherever it stands. */
export interface VerdictFields {
  levels: LevelField[];
  categories: CategoryField[];
}

/**
 * Reads every [RISK LEVEL] and [CATEGORY] field in the whole text: inside reasoning blocks, after [END], and where an
 * analysis quotes one (a sign in the image that reads "[RISK LEVEL] none"). The fail-closed decision needs them all;
 * the display uses the tolerant parse above.
 */
export function scanVerdictFields(text: string): VerdictFields {
  const tags = findTags(text);
  const fields: VerdictFields = { levels: [], categories: [] };
  for (const [index, match] of tags.entries()) {
    const content = text.slice(match.end, tags[index + 1]?.start ?? text.length);
    if (match.tag === 'level') fields.levels.push(readLevelField(content));
    if (match.tag === 'category') fields.categories.push(readCategoryField(content));
  }
  return fields;
}

function chooseText(segments: readonly Segment[], tag: AnalysisTextSection): string {
  const occurrences = segments.filter((segment) => segment.tag === tag);
  return occurrences.find((segment) => segment.content !== '')?.content ?? '';
}

function chooseValue<T>(
  segments: readonly Segment[],
  tag: 'level' | 'category',
  parse: (content: string, closed: boolean) => T | null,
): T | null {
  for (const segment of segments) {
    if (segment.tag !== tag) continue;
    const value = parse(segment.content, segment.closed);
    if (value !== null) return value;
  }
  return null;
}

function chooseRefinedPrompt(occurrences: readonly Segment[]): { text: string | null; complete: boolean } {
  const prompts = occurrences.map((segment) => ({ text: unwrapPrompt(segment.content), closed: segment.closed }));
  const complete = prompts.find((prompt) => prompt.closed && prompt.text !== '');
  if (complete) return { text: complete.text, complete: true };
  return { text: prompts[prompts.length - 1]?.text ?? null, complete: false };
}
