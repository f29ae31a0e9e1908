import { SECTION_TAGS } from './rewrite-format.ts';

/*
 * Finding the format's tags in raw model output: tags spelled loosely, reasoning blocks, and tags still being
 * written at the end of a stream.
 */

/** Any tag of the output format, [END] included. */
export type SectionTag = keyof typeof SECTION_TAGS;

export interface TagMatch {
  tag: SectionTag;
  start: number;
  end: number;
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

/** The output outside reasoning blocks, a `<think>` or `</think>` still being written at the end held back. */
export function visibleOutput(text: string): string {
  return holdBackPartialThinkTag(stripReasoning(text));
}

/** Removes reasoning blocks so that nothing inside them is read as a section. */
function stripReasoning(text: string): string {
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

/** Every tag in the text, in order. */
export function findTags(text: string): TagMatch[] {
  const found: TagMatch[] = [];
  for (const match of text.matchAll(TAG_PATTERN)) {
    const tag = TAG_BY_COMPACT_NAME.get(compactTagName(match[1] ?? ''));
    if (tag) found.push({ tag, start: match.index, end: match.index + match[0].length });
  }
  return found;
}

/** Cuts a tag still being written at the end of the text, and markdown that may open one. */
export function holdBackPartialSectionTag(text: string): string {
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
