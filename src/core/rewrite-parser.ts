import {
  SECTION_TAGS,
  type RiskAnalysis,
  type RiskCategory,
  type RiskLevel,
  type SectionName,
} from './rewrite-format.ts';

/** Any tag of the output format, [END] included. */
export type SectionTag = keyof typeof SECTION_TAGS;

/** The free-text analysis sections. */
export type AnalysisTextSection = 'textual' | 'visual' | 'crossModal';

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

const TAG_NAMES = (Object.keys(SECTION_TAGS) as SectionTag[]).map((tag) => ({
  tag,
  words: SECTION_TAGS[tag].slice(1, -1).split(' '),
}));

function compactTagName(name: string): string {
  return name.toUpperCase().replace(/[\s_-]+/g, '');
}

const TAG_BY_COMPACT_NAME = new Map(TAG_NAMES.map(({ tag, words }) => [words.join(''), tag]));
const COMPACT_TAG_NAMES = [...TAG_BY_COMPACT_NAME.keys()];

const DECORATION = String.raw`(?:\*\*|__|\*|_)`;
/** Markdown that may open a tag: a heading and/or emphasis, only at the start of a word. */
const TAG_LEAD = String.raw`(?<!\S)(?:#{1,6}[ \t]*${DECORATION}?|${DECORATION})`;
const TAG_NAME_ALTERNATIVES = TAG_NAMES.map(({ words }) => words.join('[ \\t_-]*')).join('|');
const TAG_PATTERN = new RegExp(
  String.raw`(?:${TAG_LEAD})?\[[ \t]*(${TAG_NAME_ALTERNATIVES})[ \t]*\]${DECORATION}?(?:[ \t]*:)?(?:\*\*|__)?`,
  'gi',
);
const TRAILING_TAG_LEAD = new RegExp(String.raw`${TAG_LEAD}$`);
const PARTIAL_TAG_NAME = /^\[[ \t]*([A-Za-z \t_-]*)$/;

const THINK_OPEN = /<think\s*>/i;
const THINK_CLOSE = /<\/think\s*>/i;
const THINK_TAGS = ['<think>', '</think>'];

const LEVEL_PATTERN = /\b(none|no\s+risk|low|medium|moderate|high|severe|critical)\b/i;
const LEVEL_BY_WORD: Readonly<Record<string, RiskLevel>> = {
  'none': 'none',
  'no risk': 'none',
  'low': 'low',
  'medium': 'medium',
  'moderate': 'medium',
  'high': 'high',
  'severe': 'high',
  'critical': 'high',
};

/** Words and two-word phrases (joined by '-') that name a category; every key of RISK_CATEGORIES reaches itself. */
const CATEGORY_BY_WORD: Readonly<Record<string, RiskCategory>> = {
  'none': 'none',
  'no-risk': 'none',
  'self-harm': 'self-harm',
  'selfharm': 'self-harm',
  'self-injury': 'self-harm',
  'suicide': 'self-harm',
  'violence': 'violence-weapons',
  'violent': 'violence-weapons',
  'weapon': 'violence-weapons',
  'weapons': 'violence-weapons',
  'physical-harm': 'violence-weapons',
  'illegal': 'illegal-activity',
  'crime': 'illegal-activity',
  'criminal': 'illegal-activity',
  'fraud': 'illegal-activity',
  'malware': 'illegal-activity',
  'hacking': 'illegal-activity',
  'hate': 'hate-discrimination',
  'discrimination': 'hate-discrimination',
  'stereotyping': 'hate-discrimination',
  'racism': 'hate-discrimination',
  'sexual': 'sexual-content',
  'sex': 'sexual-content',
  'nudity': 'sexual-content',
  'privacy': 'privacy',
  'personal-data': 'privacy',
  'specialized': 'specialized-advice',
  'specialised': 'specialized-advice',
  'medical': 'specialized-advice',
  'legal': 'specialized-advice',
  'financial': 'specialized-advice',
  'health': 'specialized-advice',
  'misinformation': 'misinformation',
  'disinformation': 'misinformation',
  'misinterpretation': 'misinformation',
  'political': 'misinformation',
  'politics': 'misinformation',
  'dangerous': 'dangerous-behaviour',
  'risky': 'dangerous-behaviour',
  'other': 'other',
};

/** Quote pairs that may wrap a refined prompt. */
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ['`', '`'],
  ['\u201c', '\u201d'],
  ['\u2018', '\u2019'],
  ['\u00ab', '\u00bb'],
  ['\u201e', '\u201c'],
];
const CODE_FENCE = /^(`{3,})[^\n`]*\n([\s\S]*?)\n?\1$/;
const NON_APOSTROPHE_QUOTE = /(?<!\p{L})'|'(?!\p{L})/u;

interface TagMatch {
  tag: SectionTag;
  start: number;
  end: number;
}

interface Segment {
  tag: SectionName;
  content: string;
  closed: boolean;
}

export function parseRewriteOutput(text: string): ParsedRewrite {
  const visible = holdBackPartialThinkTag(stripReasoning(text));
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

export interface LevelField {
  /** Every level the field names, in order. */
  named: RiskLevel[];
  /** The field is exactly one level (case, markdown and a final full stop aside), nothing else. */
  exact: boolean;
}

export interface CategoryField {
  /** Empty for an empty field; 'other' for text that names no known category. */
  named: RiskCategory[];
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

const FIELD_DECORATION = /^[\s*_#:`'"]+|[\s*_#`'".!]+$/g;

export function readLevelField(content: string): LevelField {
  const named = [...content.matchAll(new RegExp(LEVEL_PATTERN.source, 'gi'))].flatMap((match) => {
    const level = LEVEL_BY_WORD[(match[1] ?? '').toLowerCase().replace(/\s+/g, ' ')];
    return level ? [level] : [];
  });
  const bare = content.replace(FIELD_DECORATION, '').toLowerCase().replace(/\s+/g, ' ');
  return { named, exact: named.length === 1 && LEVEL_BY_WORD[bare] !== undefined };
}

export function readCategoryField(content: string): CategoryField {
  const words = content.toLowerCase().split(/[^a-z]+/).filter((word) => word !== '');
  const named: RiskCategory[] = [];
  for (const [index, word] of words.entries()) {
    const next = words[index + 1];
    const category = (next === undefined ? undefined : CATEGORY_BY_WORD[`${word}-${next}`]) ?? CATEGORY_BY_WORD[word];
    if (category && !named.includes(category)) named.push(category);
  }
  if (named.length === 0 && content.trim() !== '') named.push('other');
  return { named };
}

/** Removes reasoning blocks so that nothing inside them is read as a section. */
export function stripReasoning(text: string): string {
  let rest = text;
  const firstOpen = rest.search(THINK_OPEN);
  const strayClose = THINK_CLOSE.exec(rest);
  if (strayClose && (firstOpen === -1 || strayClose.index < firstOpen)) {
    rest = rest.slice(strayClose.index + strayClose[0].length);
  }
  let visible = '';
  for (;;) {
    const open = THINK_OPEN.exec(rest);
    if (!open) return visible + rest;
    visible += rest.slice(0, open.index);
    const afterOpen = rest.slice(open.index + open[0].length);
    const close = THINK_CLOSE.exec(afterOpen);
    if (!close) return visible;
    rest = afterOpen.slice(close.index + close[0].length);
  }
}

function holdBackPartialThinkTag(text: string): string {
  const tail = text.slice(-'</think>'.length).toLowerCase();
  for (let start = 0; start < tail.length; start += 1) {
    const suffix = tail.slice(start);
    if (THINK_TAGS.some((tag) => tag.startsWith(suffix))) return text.slice(0, text.length - suffix.length);
  }
  return text;
}

function findTags(text: string): TagMatch[] {
  const found: TagMatch[] = [];
  for (const match of text.matchAll(TAG_PATTERN)) {
    const tag = TAG_BY_COMPACT_NAME.get(compactTagName(match[1] ?? ''));
    if (tag) found.push({ tag, start: match.index, end: match.index + match[0].length });
  }
  return found;
}

/** Cuts a tag still being written at the end of the text, and markdown that may open one. */
function holdBackPartialSectionTag(text: string): string {
  let kept = text;
  const bracket = kept.lastIndexOf('[');
  if (bracket !== -1) {
    const name = PARTIAL_TAG_NAME.exec(kept.slice(bracket))?.[1];
    const compact = name === undefined ? undefined : compactTagName(name);
    if (compact !== undefined && COMPACT_TAG_NAMES.some((tagName) => tagName.startsWith(compact))) {
      kept = kept.slice(0, bracket);
    }
  }
  return kept.replace(TRAILING_TAG_LEAD, '');
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

/** Reads a risk level from words like "Medium.", "level: HIGH" or "no risk"; the first one named wins. */
export function parseRiskLevel(content: string): RiskLevel | null {
  const word = LEVEL_PATTERN.exec(content)?.[1]?.toLowerCase().replace(/\s+/g, ' ');
  return word === undefined ? null : (LEVEL_BY_WORD[word] ?? null);
}

/**
 * Reads a category from its key or a common name ("Self-Harm", "self harm", "weapons").
 * Unknown text is 'other' once its section is closed; while it is still streaming it may yet
 * become a known name, so it reads as null.
 */
export function parseRiskCategory(content: string, closed = true): RiskCategory | null {
  const words = content.toLowerCase().split(/[^a-z]+/).filter((word) => word !== '');
  for (const [index, word] of words.entries()) {
    const next = words[index + 1];
    const phrase = next === undefined ? undefined : CATEGORY_BY_WORD[`${word}-${next}`];
    const category = phrase ?? CATEGORY_BY_WORD[word];
    if (category) return category;
  }
  return closed && content.trim() !== '' ? 'other' : null;
}

/** Removes quotes, backticks or a code fence the model wrapped around the whole prompt. */
export function unwrapPrompt(content: string): string {
  let text = content.trim();
  for (let unwrapped = true; unwrapped; ) {
    unwrapped = false;
    const fenced = CODE_FENCE.exec(text);
    if (fenced) {
      text = (fenced[2] ?? '').trim();
      unwrapped = true;
      continue;
    }
    for (const [open, close] of QUOTE_PAIRS) {
      if (text.length < open.length + close.length || !text.startsWith(open) || !text.endsWith(close)) continue;
      const inner = text.slice(open.length, text.length - close.length);
      const quotedInside = open === "'" ? NON_APOSTROPHE_QUOTE.test(inner) : inner.includes(open) || inner.includes(close);
      if (quotedInside) continue;
      text = inner.trim();
      unwrapped = true;
      break;
    }
  }
  return text;
}

/** A change between two parses of a growing output, for the UI and CLI to react to. */
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

const ANALYSIS_TEXT_SECTIONS: readonly AnalysisTextSection[] = ['textual', 'visual', 'crossModal'];

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

export function applyRewriteStreamEvents(state: ParsedRewrite, events: readonly RewriteStreamEvent[]): ParsedRewrite {
  return events.reduce<ParsedRewrite>((current, event) => {
    switch (event.type) {
      case 'reset':
        return EMPTY_PARSED_REWRITE;
      case 'output-started':
        return { ...current, hasOutput: true };
      case 'section-opened':
        return { ...current, openSection: event.section, sectionsSeen: event.sectionsSeen, tagsInRefined: event.tagsInRefined };
      case 'analysis-text':
        return { ...current, [event.section]: event.text };
      case 'level':
        return { ...current, level: event.level };
      case 'category':
        return { ...current, category: event.category };
      case 'refined-text':
        return { ...current, refinedPrompt: event.text };
      case 'refined-complete':
        return { ...current, refinedPrompt: event.refinedPrompt, refinedComplete: true };
    }
  }, state);
}
