import type { RiskCategory, RiskLevel } from './rewrite-format.ts';

/*
 * Reading the value of one field: the level and category words a model may use, and the refined prompt without the
 * quotes or fence it may be wrapped in.
 */

const LEVEL_WORDS = /\b(none|no\s+risk|low|medium|moderate|high|severe|critical)\b/gi;
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

const FIELD_DECORATION = /^[\s*_#:`'"]+|[\s*_#`'".!]+$/g;

function namedLevels(content: string): RiskLevel[] {
  return [...content.matchAll(LEVEL_WORDS)].flatMap((match) => {
    const level = LEVEL_BY_WORD[(match[1] ?? '').toLowerCase().replace(/\s+/g, ' ')];
    return level ? [level] : [];
  });
}

/** Reads a risk level from words like "Medium.", "level: HIGH" or "no risk"; the first one named wins. */
export function parseRiskLevel(content: string): RiskLevel | null {
  return namedLevels(content)[0] ?? null;
}

export function readLevelField(content: string): LevelField {
  const named = namedLevels(content);
  const bare = content.replace(FIELD_DECORATION, '').toLowerCase().replace(/\s+/g, ' ');
  return { named, exact: named.length === 1 && LEVEL_BY_WORD[bare] !== undefined };
}

/** Each category named, once, in order; at each word a two-word phrase wins over the word alone. */
function namedCategories(content: string): RiskCategory[] {
  const words = content.toLowerCase().split(/[^a-z]+/).filter((word) => word !== '');
  const named: RiskCategory[] = [];
  for (const [index, word] of words.entries()) {
    const next = words[index + 1];
    const category = (next === undefined ? undefined : CATEGORY_BY_WORD[`${word}-${next}`]) ?? CATEGORY_BY_WORD[word];
    if (category && !named.includes(category)) named.push(category);
  }
  return named;
}

/**
 * Reads a category from its key or a common name ("Self-Harm", "self harm", "weapons").
 * Unknown text is 'other' once its section is closed; while it is still streaming it may yet
 * become a known name, so it reads as null.
 */
export function parseRiskCategory(content: string, closed = true): RiskCategory | null {
  return namedCategories(content)[0] ?? (closed && content.trim() !== '' ? 'other' : null);
}

export function readCategoryField(content: string): CategoryField {
  const named = namedCategories(content);
  return { named: named.length === 0 && content.trim() !== '' ? ['other'] : named };
}

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
