import {
  consumeText,
  currentSegment,
  choiceValues,
  initialFormatState,
  isFormatComplete,
  isFreeText,
  levelsReachable,
  type FormatSegment,
  type FormatState,
  type OutputFormatPlan,
} from './output-format-plan.ts';
import { RISK_LEVELS, type LevelProbabilities, type RiskLevel } from './rewrite-format.ts';

/**
 * A vocabulary seen from the output format: each id's decoded text (null for ids that may never be written: special
 * and added tokens, holes), indexed once per model so each generation step costs one pass over the logits.
 */
export class TokenTable {
  readonly size: number;
  readonly texts: ReadonlyArray<string | null>;
  readonly endIds: readonly number[];
  /** 1 where the text is non-empty free text: allowed anywhere inside a free section. */
  readonly freeOnly: Uint8Array;
  readonly lengths: Uint16Array;
  /** 1 where the text is only whitespace. */
  readonly blank: Uint8Array;
  /** Tokens whose text is free text up to a newline: the only ones that can close a free section. */
  readonly closers: readonly Closer[];
  readonly #idsByText = new Map<string, number[]>();
  /** Texts in code-unit order, for "every token that starts with …" lookups. */
  readonly #sorted: ReadonlyArray<{ text: string; id: number }>;

  constructor(texts: ReadonlyArray<string | null>, endIds: readonly number[]) {
    this.size = texts.length;
    this.texts = texts;
    this.endIds = endIds.filter((id) => id >= 0 && id < texts.length);
    this.freeOnly = new Uint8Array(texts.length);
    this.lengths = new Uint16Array(texts.length);
    this.blank = new Uint8Array(texts.length);
    const closing: Closer[] = [];
    const sorted: Array<{ text: string; id: number }> = [];
    for (const [id, text] of texts.entries()) {
      if (text === null || text === '' || this.endIds.includes(id)) continue;
      this.lengths[id] = Math.min(text.length, 0xffff);
      if (text.trim() === '') this.blank[id] = 1;
      if (isFreeText(text)) this.freeOnly[id] = 1;
      else {
        const newline = text.indexOf('\n');
        const head = text.slice(0, Math.max(newline, 0));
        if (newline !== -1 && isFreeText(head)) closing.push({ id, head, headHasContent: head.trim() !== '', tail: text.slice(newline) });
      }
      const same = this.#idsByText.get(text);
      if (same) same.push(id);
      else this.#idsByText.set(text, [id]);
      sorted.push({ text, id });
    }
    sorted.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : a.id - b.id));
    this.closers = closing;
    this.#sorted = sorted;
  }

  idsWithText(text: string): readonly number[] {
    return this.#idsByText.get(text) ?? [];
  }

  /** Ids whose text starts with `prefix` and is longer than it. */
  idsExtending(prefix: string): number[] {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#sorted[middle]?.text ?? '') < prefix) low = middle + 1;
      else high = middle;
    }
    const ids: number[] = [];
    for (let index = low; index < this.#sorted.length; index += 1) {
      const entry = this.#sorted[index];
      if (!entry?.text.startsWith(prefix)) break;
      if (entry.text.length > prefix.length) ids.push(entry.id);
    }
    return ids;
  }
}

/** A token that can end a free section: free text (`head`), then a newline and whatever follows it (`tail`). */
export interface Closer {
  id: number;
  head: string;
  headHasContent: boolean;
  tail: string;
}

/** What constrained generation knows at the end of a run. */
export interface ConstraintOutcome {
  /** The format reached its end ([END], then the end token). */
  complete: boolean;
  /** A token outside the mask arrived (or nothing was allowed): the run was ended, and its output will not parse whole. */
  violated: boolean;
  levelProbabilities: LevelProbabilities | null;
  /** Tokens chosen inside the format's fixed text (its tags): jump-forward decoding could append them without a model step. */
  tagTokens: number;
}

/**
 * Drives one generation through the format: `maskLogits` before each token is chosen, `accept` with the chosen id.
 *
 * Level probabilities are read at the step whose chosen token first settles the level (for a real BPE vocabulary,
 * the first level token: " none", " low", …): the softmax over every token the format allows there, each token's
 * mass going to the level it leads to; tokens that still leave several levels open (a bare " ") are not counted, and
 * the rest is renormalised.
 */
export class ConstrainedDecoder {
  readonly #plan: OutputFormatPlan;
  readonly #table: TokenTable;
  readonly #mask: Uint8Array;
  #state: FormatState = initialFormatState();
  #violated = false;
  /** At a level step: where each allowed token leads, and the softmax masses there. */
  #levelStep: LevelStep | null = null;
  #levelProbabilities: LevelProbabilities | null = null;
  #tagTokens = 0;

  constructor(plan: OutputFormatPlan, table: TokenTable) {
    this.#plan = plan;
    this.#table = table;
    this.#mask = new Uint8Array(table.size);
  }

  get state(): FormatState {
    return this.#state;
  }

  outcome(): ConstraintOutcome {
    return {
      complete: !this.#violated && isFormatComplete(this.#plan, this.#state),
      violated: this.#violated,
      levelProbabilities: this.#levelProbabilities,
      tagTokens: this.#tagTokens,
    };
  }

  /** Sets every disallowed logit to -Infinity. `logits` may be longer than the vocabulary (padded heads). */
  maskLogits(logits: Float32Array): void {
    const mask = this.#violated ? this.#endOnly() : this.#computeMask();
    const allowed = mask.reduce((sum, flag) => sum + flag, 0);
    if (allowed === 0) {
      this.#violated = true;
      this.#endOnly();
    }
    if (this.#levelStep) measureLevelStep(this.#levelStep, logits);
    for (let id = 0; id < logits.length; id += 1) {
      if (id >= mask.length || mask[id] === 0) logits[id] = -Infinity;
    }
  }

  accept(id: number): void {
    if (this.#violated) return;
    const text = this.#table.texts[id];
    const next = id < this.#mask.length && this.#mask[id] === 1 && text ? consumeText(this.#plan, this.#state, text) : null;
    if (!next) {
      this.#violated = true;
      return;
    }
    if (this.#levelStep && this.#levelProbabilities === null && this.#levelStep.levels.get(id)) {
      this.#levelProbabilities = normalise(this.#levelStep.masses);
    }
    this.#levelStep = null;
    if (currentSegment(this.#plan, this.#state).kind === 'literal') this.#tagTokens += 1;
    this.#state = next;
  }

  #endOnly(): Uint8Array {
    this.#mask.fill(0);
    for (const id of this.#table.endIds) this.#mask[id] = 1;
    this.#levelStep = null;
    return this.#mask;
  }

  #computeMask(): Uint8Array {
    const mask = this.#mask;
    const table = this.#table;
    const state = this.#state;
    const segment = currentSegment(this.#plan, state);
    this.#levelStep = null;
    switch (segment.kind) {
      case 'end-of-text':
        return this.#endOnly();
      case 'free': {
        if (state.tokens >= segment.maxTokens) mask.fill(0);
        else if (segment.maxChars === null) mask.set(table.freeOnly);
        else {
          const room = segment.maxChars - state.chars;
          for (let id = 0; id < mask.length; id += 1) mask[id] = table.freeOnly[id] === 1 && (table.lengths[id] ?? 0) <= room ? 1 : 0;
        }
        // A section's last token must not be blank, or nothing could close it.
        if (!state.hasContent && state.tokens === segment.maxTokens - 1) {
          for (let id = 0; id < mask.length; id += 1) if (table.blank[id] === 1) mask[id] = 0;
        }
        const next = this.#plan.segments[state.segment + 1];
        const literal = next?.kind === 'literal' ? next.text : null;
        for (const closer of table.closers) {
          if (closesSection(closer, state, segment, literal) ?? consumeText(this.#plan, state, table.texts[closer.id] ?? '')) {
            mask[closer.id] = 1;
          }
        }
        return mask;
      }
      case 'literal':
      case 'level':
      case 'category': {
        mask.fill(0);
        const remainders =
          segment.kind === 'literal'
            ? [segment.text.slice(state.typed.length)]
            : choiceValues(segment, state)
                .filter((value) => value.startsWith(state.typed))
                .map((value) => value.slice(state.typed.length));
        const candidates = new Set<number>();
        for (const remainder of remainders) {
          for (let end = 1; end <= remainder.length; end += 1) {
            for (const id of table.idsWithText(remainder.slice(0, end))) candidates.add(id);
          }
          for (const id of table.idsExtending(remainder)) candidates.add(id);
        }
        const levels = new Map<number, RiskLevel | null>();
        for (const id of candidates) {
          const text = table.texts[id] ?? '';
          if (!consumeText(this.#plan, state, text)) continue;
          mask[id] = 1;
          if (segment.kind === 'level') {
            const reachable = levelsReachable(state, text);
            levels.set(id, reachable.length === 1 ? (reachable[0] ?? null) : null);
          }
        }
        if (segment.kind === 'level' && this.#levelProbabilities === null) {
          this.#levelStep = { levels, masses: { none: 0, low: 0, medium: 0, high: 0 } };
        }
        return mask;
      }
    }
  }

}

/**
 * Whether a closer may end this free section, decided without walking its characters; null when its tail runs past
 * the literal that follows (rare), which the caller checks the slow way. Same rules as consumeText: a token that
 * starts with free text counts against the budget and the character bound, and the section needs some content.
 */
function closesSection(
  closer: Closer,
  state: FormatState,
  segment: Extract<FormatSegment, { kind: 'free' }>,
  literal: string | null,
): boolean | null {
  if (literal === null) return null;
  if (closer.head !== '' && state.tokens >= segment.maxTokens) return false;
  if (!state.hasContent && !closer.headHasContent) return false;
  if (segment.maxChars !== null && state.chars + closer.head.length > segment.maxChars) return false;
  if (literal.startsWith(closer.tail)) return true;
  return closer.tail.startsWith(literal) ? null : false;
}

interface LevelStep {
  /** The level each allowed token leads to (null: still open). */
  levels: Map<number, RiskLevel | null>;
  masses: Record<RiskLevel, number>;
}

/** Softmax over the allowed tokens (before masking), summed per level. */
function measureLevelStep(step: LevelStep, logits: Float32Array): void {
  let max = -Infinity;
  for (const id of step.levels.keys()) max = Math.max(max, logits[id] ?? -Infinity);
  if (max === -Infinity) return;
  const weights = new Map<number, number>();
  let total = 0;
  for (const id of step.levels.keys()) {
    const weight = Math.exp((logits[id] ?? -Infinity) - max);
    weights.set(id, weight);
    total += weight;
  }
  for (const [id, level] of step.levels) {
    if (level) step.masses[level] += (weights.get(id) ?? 0) / total;
  }
}

function normalise(masses: Record<RiskLevel, number>): LevelProbabilities | null {
  const total = RISK_LEVELS.reduce((sum, level) => sum + masses[level], 0);
  if (!(total > 0)) return null;
  return Object.fromEntries(RISK_LEVELS.map((level) => [level, masses[level] / total])) as Record<RiskLevel, number>;
}
