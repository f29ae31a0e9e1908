import { DEFAULT_REASONING_MODE, type ReasoningMode } from './reasoning-mode.ts';
import {
  ANALYSIS_SECTIONS_BY_REASONING,
  RISK_CATEGORIES,
  RISK_LEVELS,
  SECTION_TAGS as T,
  type AnalysisSection,
  type RiskCategory,
  type RiskLevel,
} from './rewrite-format.ts';

/**
 * The rewriter's output format as a character-level automaton, for constrained generation: the tags come only where
 * the format puts them and in order; free text cannot hold a tag opener, a special token or a control character; the
 * level and the category are one of their fixed values; then [END] and the end of text. It knows nothing of tokens:
 * src/core/token-constraint.ts lifts it to a vocabulary, so a model may spell a tag in whatever tokens it prefers.
 * The reasoning mode decides which analyses come before the verdict (buildOutputFormatPlan).
 */

export type FreeSection = AnalysisSection | 'refined';

export type FormatSegment =
  | { kind: 'literal'; text: string }
  /** Ends at a newline, which only a section with some non-blank text may write. */
  | { kind: 'free'; section: FreeSection; maxTokens: number; maxChars: number | null }
  | { kind: 'level' }
  /** "none" exactly when the level is none, any other category otherwise: the two fields cannot contradict. */
  | { kind: 'category' }
  | { kind: 'end-of-text' };

/** Plain data, so it crosses to the worker as is. */
export interface OutputFormatPlan {
  segments: readonly FormatSegment[];
}

export type SectionBudgets = Readonly<Record<FreeSection, number>>;

/**
 * Tokens per free section: three short analyses (full), or one of 60 (brief), and room for a rewritten question. A
 * whole constrained rewrite then stays under ~300 tokens on a real BPE vocabulary (tags are 4–6 tokens each).
 */
export const DEFAULT_SECTION_BUDGETS: SectionBudgets = Object.freeze({ textual: 40, visual: 40, crossModal: 40, summary: 60, refined: 160 });

export interface OutputFormatOptions {
  /** The run's output limit: budgets shrink in proportion when the whole format would not fit in it. */
  maxNewTokens: number;
  /** The policy's length bound on the refined prompt (maxRefinedPromptLength), enforced while it is written. */
  refinedPromptMaxChars: number;
  budgets?: Partial<SectionBudgets>;
  /** Which analyses come before the verdict; full (the default) writes all three. */
  reasoning?: ReasoningMode;
}

const LEVEL_VALUES: readonly string[] = RISK_LEVELS.map((level) => ` ${level}`);
const HARMFUL_CATEGORY_VALUES: readonly string[] = (Object.keys(RISK_CATEGORIES) as RiskCategory[])
  .filter((category) => category !== 'none')
  .map((category) => ` ${category}`);
const NO_CATEGORY_VALUES: readonly string[] = [' none'];

/**
 *   full:  [TEXT RISK] free\n[IMAGE RISK] free\n[COMBINED RISK] free\n<verdict>
 *   brief: [RISK ANALYSIS] free\n<verdict>
 *   off:   <verdict>
 * where <verdict> is [RISK LEVEL] level\n[CATEGORY] category\n[REFINED PROMPT] free\n[END] <end of text>.
 */
export function buildOutputFormatPlan(options: OutputFormatOptions): OutputFormatPlan {
  const reasoning = options.reasoning ?? DEFAULT_REASONING_MODE;
  const analyses = ANALYSIS_SECTIONS_BY_REASONING[reasoning];
  const free = [...analyses, 'refined'] as const;
  const budgets = fitBudgets({ ...DEFAULT_SECTION_BUDGETS, ...options.budgets }, free, options.maxNewTokens - fixedTokenBound(analyses));
  const freeSegment = (section: FreeSection, maxChars: number | null = null): FormatSegment => ({
    kind: 'free',
    section,
    maxTokens: budgets[section],
    maxChars,
  });
  const opening = (tag: string, index: number) => (index === 0 ? tag : `\n${tag}`);
  const analysisSegments = analyses.flatMap((section, index): FormatSegment[] => [
    { kind: 'literal', text: opening(T[section], index) },
    freeSegment(section),
  ]);
  return {
    segments: [
      ...analysisSegments,
      { kind: 'literal', text: opening(T.level, analyses.length) },
      { kind: 'level' },
      { kind: 'literal', text: `\n${T.category}` },
      { kind: 'category' },
      { kind: 'literal', text: `\n${T.refined}` },
      freeSegment('refined', options.refinedPromptMaxChars),
      { kind: 'literal', text: `\n${T.end}` },
      { kind: 'end-of-text' },
    ],
  };
}

/**
 * Tokens the fixed parts can take at most: every tag of the mode and every value character as its own token (a
 * byte-level vocabulary without merges), a newline per tag, plus the end token.
 */
function fixedTokenBound(analyses: readonly AnalysisSection[]): number {
  const longest = (values: readonly string[]) => Math.max(...values.map((value) => value.length));
  const tags = [...analyses.map((section) => T[section]), T.level, T.category, T.refined, T.end];
  const tagTokens = tags.reduce((sum, tag) => sum + tag.length + 1, 0);
  return tagTokens + longest(LEVEL_VALUES) + longest(HARMFUL_CATEGORY_VALUES) + 1;
}

/** The plan's sections' budgets, shrunk in proportion (each at least 1) when they exceed what the fixed parts leave. */
function fitBudgets(budgets: SectionBudgets, sections: readonly FreeSection[], available: number): SectionBudgets {
  const wanted = sections.reduce((sum, section) => sum + budgets[section], 0);
  if (wanted <= available) return budgets;
  const scale = Math.max(0, available) / wanted;
  const fitted = { ...budgets };
  for (const section of sections) fitted[section] = Math.max(1, Math.floor(budgets[section] * scale));
  return fitted;
}

/** The most tokens a run under this plan can write, end token included. */
export function planTokenBound(plan: OutputFormatPlan): number {
  return plan.segments.reduce((sum, segment) => {
    switch (segment.kind) {
      case 'literal':
        return sum + segment.text.length;
      case 'free':
        return sum + segment.maxTokens;
      case 'level':
        return sum + Math.max(...LEVEL_VALUES.map((value) => value.length));
      case 'category':
        return sum + Math.max(...HARMFUL_CATEGORY_VALUES.map((value) => value.length));
      case 'end-of-text':
        return sum + 1;
    }
  }, 0);
}

/** Where the automaton is. Immutable: trying a token never disturbs the state it started from. */
export interface FormatState {
  readonly segment: number;
  /** What has been written of the current literal or choice. */
  readonly typed: string;
  /** Tokens and UTF-16 units written in the current free section. */
  readonly tokens: number;
  readonly chars: number;
  readonly hasContent: boolean;
  /** The level once its value is complete. */
  readonly level: RiskLevel | null;
}

/** Tag brackets, `<` (every special token starts with it), control and format characters, line separators. */
const NOT_FREE = /[[\]<\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export function isFreeText(text: string): boolean {
  return !NOT_FREE.test(text);
}

export function initialFormatState(): FormatState {
  return enterSegment(0, null);
}

function enterSegment(segment: number, level: RiskLevel | null): FormatState {
  return { segment, typed: '', tokens: 0, chars: 0, hasContent: false, level };
}

export function currentSegment(plan: OutputFormatPlan, state: FormatState): FormatSegment {
  const segment = plan.segments[state.segment];
  if (!segment) throw new RangeError(`No segment ${state.segment} in the output format`);
  return segment;
}

/** The values a choice segment may still take: level values, or category values that agree with the level. */
export function choiceValues(segment: FormatSegment, state: FormatState): readonly string[] {
  if (segment.kind === 'level') return LEVEL_VALUES;
  if (segment.kind === 'category') return state.level === 'none' ? NO_CATEGORY_VALUES : HARMFUL_CATEGORY_VALUES;
  return [];
}

/** The state after one more character (a code point), or null when the format does not allow it there. */
export function stepChar(plan: OutputFormatPlan, state: FormatState, char: string): FormatState | null {
  const segment = currentSegment(plan, state);
  switch (segment.kind) {
    case 'literal': {
      if (segment.text.slice(state.typed.length, state.typed.length + char.length) !== char) return null;
      const typed = state.typed + char;
      return typed.length === segment.text.length ? enterSegment(state.segment + 1, state.level) : { ...state, typed };
    }
    case 'free': {
      if (char === '\n') {
        // Every free section is followed by a literal that opens with the newline.
        return state.hasContent ? stepChar(plan, enterSegment(state.segment + 1, state.level), char) : null;
      }
      if (!isFreeText(char)) return null;
      const chars = state.chars + char.length;
      if (segment.maxChars !== null && chars > segment.maxChars) return null;
      return { ...state, chars, hasContent: state.hasContent || char.trim() !== '' };
    }
    case 'level':
    case 'category': {
      const typed = state.typed + char;
      const values = choiceValues(segment, state).filter((value) => value.startsWith(typed));
      if (values.length === 0) return null;
      // No value is a prefix of another (checked by the tests), so a complete value ends the choice.
      if (values.length === 1 && values[0] === typed) {
        const level = segment.kind === 'level' ? (typed.trim() as RiskLevel) : state.level;
        return enterSegment(state.segment + 1, level);
      }
      return { ...state, typed };
    }
    case 'end-of-text':
      return null;
  }
}

/**
 * The state after one token with this decoded text, or null when it is not allowed. In a free section each token
 * counts against the budget, except one that starts with the newline closing the section.
 */
export function consumeText(plan: OutputFormatPlan, state: FormatState, text: string): FormatState | null {
  if (text === '') return null;
  let next: FormatState | null = state;
  const segment = currentSegment(plan, state);
  if (segment.kind === 'free' && !text.startsWith('\n')) {
    if (state.tokens >= segment.maxTokens) return null;
    next = { ...state, tokens: state.tokens + 1 };
  }
  for (const char of text) {
    next = stepChar(plan, next, char);
    if (!next) return null;
  }
  return next;
}

export function isFormatComplete(plan: OutputFormatPlan, state: FormatState): boolean {
  return currentSegment(plan, state).kind === 'end-of-text';
}

/** The levels a choice can still end in once `text` follows what is typed (empty when it cannot continue). */
export function levelsReachable(state: FormatState, text: string): RiskLevel[] {
  const typed = state.typed + text;
  return RISK_LEVELS.filter((level) => {
    const value = ` ${level}`;
    return value.startsWith(typed) || typed.startsWith(value);
  });
}
