import { describe, expect, it } from 'vitest';
import { buildOutputFormatPlan, choiceValues, initialFormatState, planTokenBound, type OutputFormatPlan } from '../../src/core/output-format-plan.ts';
import { decideRewrite } from '../../src/core/rewrite-decision.ts';
import { REASONING_MAX_NEW_TOKENS, REASONING_MODES } from '../../src/core/reasoning-mode.ts';
import { formatTags, RISK_CATEGORIES, RISK_LEVELS, SECTION_TAGS } from '../../src/core/rewrite-format.ts';
import { parseRewriteOutput } from '../../src/core/rewrite-parser.ts';
import { ConstrainedDecoder, TokenTable } from '../../src/core/token-constraint.ts';

/** A small vocabulary shaped like a real BPE one: bytes, words with and without a leading space, merged punctuation. */
function syntheticVocabulary(): { texts: Array<string | null>; end: number; special: number } {
  const texts: Array<string | null> = [];
  for (let code = 0; code < 128; code += 1) texts.push(String.fromCharCode(code));
  const words = ['the', 'risk', 'bridge', 'image', 'none', 'low', 'medium', 'high', 'self', 'harm', 'help', 'safe', 'other'];
  for (const word of words) texts.push(word, ` ${word}`);
  texts.push('.\n', '\n\n', '\n[', '[TEXT', ' RISK]', ' LEVEL]', '] A', ' none\n[CATEGORY]', 'a[b', '\t\t', '\u202e', '\ufffd', ' n', ' ');
  texts.push('<|im_start|>', '<image>');
  const special = texts.length - 2;
  texts[special] = null;
  texts[special + 1] = null;
  texts.push('<end>');
  return { texts, end: texts.length - 1, special };
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  text: string;
  ids: number[];
  decoder: ConstrainedDecoder;
}

/** Generates until the end token with random logits, greedy or sampled, as transformers.js would call the processor. */
function generate(plan: OutputFormatPlan, table: TokenTable, endId: number, seed: number, sample: boolean): Run {
  const random = mulberry32(seed);
  const decoder = new ConstrainedDecoder(plan, table);
  const ids: number[] = [];
  let text = '';
  for (let step = 0; step < planTokenBound(plan) + 5; step += 1) {
    const logits = Float32Array.from({ length: table.size + 3 }, () => random() * 8 - 4);
    decoder.maskLogits(logits);
    const id = sample ? sampleId(logits, random) : logits.indexOf(Math.max(...logits));
    ids.push(id);
    if (id === endId) break;
    decoder.accept(id);
    text += table.texts[id] ?? '';
  }
  return { text, ids, decoder };
}

function sampleId(logits: Float32Array, random: () => number): number {
  const max = Math.max(...logits);
  const weights = Array.from(logits, (logit) => Math.exp(logit - max));
  let target = random() * weights.reduce((sum, weight) => sum + weight, 0);
  for (const [id, weight] of weights.entries()) {
    target -= weight;
    if (target <= 0 && weight > 0) return id;
  }
  return weights.findLastIndex((weight) => weight > 0);
}

const vocabulary = syntheticVocabulary();
const table = new TokenTable(vocabulary.texts, [vocabulary.end]);
const plan = buildOutputFormatPlan({ maxNewTokens: 384, refinedPromptMaxChars: 120 });

describe('constrained generation over a vocabulary', () => {
  it.each([false, true])('always writes the whole format, in order, whatever the logits (sampled: %s)', (sample) => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const run = generate(plan, table, vocabulary.end, seed, sample);
      const parsed = parseRewriteOutput(run.text);
      expect(run.ids.at(-1)).toBe(vocabulary.end);
      expect(run.decoder.outcome()).toMatchObject({ complete: true, violated: false });
      expect(parsed.sectionsSeen).toEqual(['textual', 'visual', 'crossModal', 'level', 'category', 'refined', 'end']);
      expect(parsed.level).not.toBeNull();
      expect(parsed.category).not.toBeNull();
      expect(parsed.refinedComplete).toBe(true);
      expect(parsed.tagsInRefined).toBe(false);
      // The category agrees with the level, so the decision never sees that contradiction.
      expect(parsed.category === 'none').toBe(parsed.level === 'none');
    }
  });

  it('keeps tag openers, special tokens and control characters out of free text, and holds the budgets', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const run = generate(plan, table, vocabulary.end, seed, true);
      expect(run.ids).not.toContain(vocabulary.special);
      expect(run.ids).not.toContain(vocabulary.special + 1);
      const free = run.text.split('\n').map((line) => line.replace(/^\[[A-Z ]+\]/, ''));
      for (const line of free) expect(line).not.toMatch(/[[\]<\p{Cc}\p{Cf}]/u);
      const parsed = parseRewriteOutput(run.text);
      expect(parsed.refinedPrompt?.length ?? 0).toBeLessThanOrEqual(120);
    }
  });

  it('lets a model spell a tag in any tokens, including ones that run into the next field', () => {
    const pieces = ['[TEXT', ' RISK]', ' the', ' risk'];
    const decoder = new ConstrainedDecoder(plan, table);
    for (const piece of pieces) {
      const logits = new Float32Array(table.size);
      decoder.maskLogits(logits);
      const id = vocabulary.texts.indexOf(piece);
      expect(logits[id], piece).toBe(0);
      decoder.accept(id);
    }
    // The two tokens of the tag are the ones jump-forward decoding could have appended; the words after it are the model's.
    expect(decoder.outcome()).toMatchObject({ violated: false, tagTokens: 2 });
  });

  it('counts fewer tag tokens when the reasoning setting leaves sections out', () => {
    const tagTokens = (reasoning: (typeof REASONING_MODES)[number]) => {
      const modePlan = buildOutputFormatPlan({ maxNewTokens: REASONING_MAX_NEW_TOKENS[reasoning], refinedPromptMaxChars: 120, reasoning });
      return generate(modePlan, table, vocabulary.end, 7, false).decoder.outcome().tagTokens;
    };
    expect(tagTokens('off')).toBeGreaterThan(0);
    expect(tagTokens('off')).toBeLessThan(tagTokens('brief'));
    expect(tagTokens('brief')).toBeLessThan(tagTokens('full'));
  });

  it('ends the run, and says so, when a token outside the mask arrives', () => {
    const decoder = new ConstrainedDecoder(plan, table);
    decoder.maskLogits(new Float32Array(table.size));
    decoder.accept(vocabulary.texts.indexOf(' the'));
    expect(decoder.outcome()).toMatchObject({ violated: true, complete: false });
    const logits = new Float32Array(table.size);
    decoder.maskLogits(logits);
    expect([...logits.keys()].filter((id) => logits[id] !== -Infinity)).toEqual([vocabulary.end]);
  });

  it('fits the budgets into a small output limit', () => {
    const small = buildOutputFormatPlan({ maxNewTokens: 200, refinedPromptMaxChars: 600 });
    expect(planTokenBound(small)).toBeLessThanOrEqual(200);
    expect(planTokenBound(plan)).toBeLessThanOrEqual(384);
  });

  it('offers no value that is a prefix of another, so a complete value ends its choice', () => {
    for (const segment of plan.segments) {
      for (const level of [...RISK_LEVELS, null]) {
        const values = choiceValues(segment, { ...initialFormatState(), level });
        for (const value of values) expect(values.filter((other) => other !== value && other.startsWith(value))).toEqual([]);
      }
    }
    expect(Object.keys(RISK_CATEGORIES)).toContain('none');
  });
});

describe('level probabilities', () => {
  /** Runs the fixed prefix up to the level, then gives the level step these logits. */
  function levelStep(levelLogits: Record<string, number>): ConstrainedDecoder {
    const decoder = new ConstrainedDecoder(plan, table);
    const prefix = `${SECTION_TAGS.textual} the\n${SECTION_TAGS.visual} the\n${SECTION_TAGS.crossModal} the\n${SECTION_TAGS.level}`;
    for (const char of prefix) {
      decoder.maskLogits(new Float32Array(table.size));
      decoder.accept(vocabulary.texts.indexOf(char));
    }
    const logits = new Float32Array(table.size).fill(-50);
    for (const [text, logit] of Object.entries(levelLogits)) logits[vocabulary.texts.indexOf(text)] = logit;
    decoder.maskLogits(logits);
    const chosen = logits.indexOf(Math.max(...logits));
    decoder.accept(chosen);
    return decoder;
  }

  it('are the softmax over the level tokens at the step that settles the level', () => {
    const logits = { ' none': 2, ' low': 1, ' medium': 0.5, ' high': -1 };
    const probabilities = levelStep(logits).outcome().levelProbabilities;
    const exps = Object.values(logits).map(Math.exp);
    const total = exps.reduce((sum, value) => sum + value, 0);
    expect(probabilities).not.toBeNull();
    expect(probabilities?.none).toBeCloseTo((exps[0] ?? 0) / total, 6);
    expect(probabilities?.high).toBeCloseTo((exps[3] ?? 0) / total, 6);
    expect(RISK_LEVELS.reduce((sum, level) => sum + (probabilities?.[level] ?? 0), 0)).toBeCloseTo(1, 9);
  });

  it('wait for a token that settles the level when the first one leaves several open', () => {
    const decoder = levelStep({ ' ': 5, ' none': -2, ' low': -3 });
    expect(decoder.outcome().levelProbabilities).toBeNull();
    const logits = new Float32Array(table.size).fill(-50);
    logits[vocabulary.texts.indexOf('h')] = 3;
    logits[vocabulary.texts.indexOf('n')] = 1;
    decoder.maskLogits(logits);
    decoder.accept(vocabulary.texts.indexOf('h'));
    const probabilities = decoder.outcome().levelProbabilities;
    expect(probabilities?.high).toBeCloseTo(Math.exp(3) / (Math.exp(3) + Math.exp(1) + 2 * Math.exp(-50)), 6);
  });

  it('feed a decision that passes through only above the strictness', () => {
    const decoder = levelStep({ ' none': 3, ' low': 0, ' medium': 0, ' high': 0 });
    const probabilities = decoder.outcome().levelProbabilities;
    const rawOutput = `${SECTION_TAGS.level} none\n${SECTION_TAGS.category} none\n${SECTION_TAGS.refined} x\n${SECTION_TAGS.end}`;
    const decide = (strictness: number) =>
      decideRewrite({ rawOutput, originalPrompt: 'Hi there', stopReason: 'end-of-text', levelProbabilities: probabilities, strictness });
    expect(probabilities?.none).toBeCloseTo(Math.exp(3) / (Math.exp(3) + 3), 6);
    expect(decide(0.8).outcome).toBe('passed-through');
    expect(decide(0.9).outcome).not.toBe('passed-through');
  });
});

describe('the reasoning modes on the same machinery', () => {
  const verdict = [
    { kind: 'level' },
    { kind: 'literal', text: `\n${SECTION_TAGS.category}` },
    { kind: 'category' },
    { kind: 'literal', text: `\n${SECTION_TAGS.refined}` },
    { kind: 'free', section: 'refined', maxTokens: 160, maxChars: 120 },
    { kind: 'literal', text: `\n${SECTION_TAGS.end}` },
    { kind: 'end-of-text' },
  ];

  it('plans one combined analysis for brief and none for off, then the same verdict', () => {
    const brief = buildOutputFormatPlan({ maxNewTokens: REASONING_MAX_NEW_TOKENS.brief, refinedPromptMaxChars: 120, reasoning: 'brief' });
    expect(brief.segments).toEqual([
      { kind: 'literal', text: SECTION_TAGS.summary },
      { kind: 'free', section: 'summary', maxTokens: 60, maxChars: null },
      { kind: 'literal', text: `\n${SECTION_TAGS.level}` },
      ...verdict,
    ]);
    const off = buildOutputFormatPlan({ maxNewTokens: REASONING_MAX_NEW_TOKENS.off, refinedPromptMaxChars: 120, reasoning: 'off' });
    expect(off.segments).toEqual([{ kind: 'literal', text: SECTION_TAGS.level }, ...verdict]);
  });

  it('keeps the full plan as it was: three analyses, and the default when no mode is given', () => {
    const full = buildOutputFormatPlan({ maxNewTokens: 384, refinedPromptMaxChars: 120, reasoning: 'full' });
    expect(full).toEqual(plan);
    expect(full.segments.filter((segment) => segment.kind === 'free').map((segment) => segment.kind === 'free' && [segment.section, segment.maxTokens])).toEqual([
      ['textual', 38],
      ['visual', 38],
      ['crossModal', 38],
      ['refined', 153],
    ]);
  });

  it('fits each mode’s budgets into any limit above what its tags and values take', () => {
    for (const reasoning of REASONING_MODES) {
      // Above what the tags and values alone can take (116 tokens in full, 91 in brief, 75 off).
      for (const maxNewTokens of [128, 200, REASONING_MAX_NEW_TOKENS[reasoning], 2048]) {
        const fitted = buildOutputFormatPlan({ maxNewTokens, refinedPromptMaxChars: 600, reasoning });
        expect(planTokenBound(fitted), `${reasoning} at ${maxNewTokens}`).toBeLessThanOrEqual(maxNewTokens);
      }
    }
  });

  it.each(['brief', 'off'] as const)('always writes the whole %s format, in order, whatever the logits', (reasoning) => {
    const modePlan = buildOutputFormatPlan({ maxNewTokens: REASONING_MAX_NEW_TOKENS[reasoning], refinedPromptMaxChars: 120, reasoning });
    for (let seed = 1; seed <= 200; seed += 1) {
      const sample = seed % 2 === 0;
      const run = generate(modePlan, table, vocabulary.end, seed, sample);
      const parsed = parseRewriteOutput(run.text);
      expect(run.ids.at(-1)).toBe(vocabulary.end);
      expect(run.ids.length).toBeLessThanOrEqual(REASONING_MAX_NEW_TOKENS[reasoning]);
      expect(run.decoder.outcome()).toMatchObject({ complete: true, violated: false });
      expect(parsed.sectionsSeen).toEqual(formatTags(reasoning));
      expect(parsed.summary !== '').toBe(reasoning === 'brief');
      expect([parsed.textual, parsed.visual, parsed.crossModal]).toEqual(['', '', '']);
      expect(parsed.level).not.toBeNull();
      expect(parsed.category === 'none').toBe(parsed.level === 'none');
      expect(parsed.refinedComplete).toBe(true);
      for (const line of run.text.split('\n').map((text) => text.replace(/^\[[A-Z ]+\]/, ''))) {
        expect(line).not.toMatch(/[[\]<\p{Cc}\p{Cf}]/u);
      }
      // Complete for its mode is never a failure for lack of the analyses it does not ask for.
      const decision = decideRewrite({
        rawOutput: run.text,
        originalPrompt: 'How far down is the water?',
        stopReason: 'end-of-text',
        levelProbabilities: run.decoder.outcome().levelProbabilities,
        strictness: 0,
      });
      if (decision.outcome === 'fallback') expect(['unchanged-at-risk', 'wrong-language', 'too-long']).toContain(decision.reason);
    }
  });

  it('measures the level at its step in the off mode, where the level is the first thing written', () => {
    const off = buildOutputFormatPlan({ maxNewTokens: REASONING_MAX_NEW_TOKENS.off, refinedPromptMaxChars: 120, reasoning: 'off' });
    const decoder = new ConstrainedDecoder(off, table);
    for (const char of SECTION_TAGS.level) {
      decoder.maskLogits(new Float32Array(table.size));
      decoder.accept(vocabulary.texts.indexOf(char));
    }
    const logits = new Float32Array(table.size).fill(-50);
    const levelLogits = { ' none': 0, ' low': 0, ' medium': 0, ' high': Math.log(3) };
    for (const [text, logit] of Object.entries(levelLogits)) logits[vocabulary.texts.indexOf(text)] = logit;
    decoder.maskLogits(logits);
    decoder.accept(vocabulary.texts.indexOf(' high'));
    expect(decoder.outcome().levelProbabilities?.high).toBeCloseTo(0.5, 6);
  });
});
