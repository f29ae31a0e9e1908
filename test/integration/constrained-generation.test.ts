import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelFamily } from '../../src/core/model-families.ts';
import { buildOutputFormatPlan, DEFAULT_SECTION_BUDGETS } from '../../src/core/output-format-plan.ts';
import { decideRewrite } from '../../src/core/rewrite-decision.ts';
import { REASONING_MAX_NEW_TOKENS } from '../../src/core/reasoning-mode.ts';
import { formatTags, RISK_LEVELS, SECTION_TAGS } from '../../src/core/rewrite-format.ts';
import { parseRewriteOutput } from '../../src/core/rewrite-parser.ts';
import { maxRefinedPromptLength } from '../../src/core/rewrite-policy.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { VlmEngine, type EngineGenerateResult } from '../../src/engine/vlm-engine.ts';
import { writeTinyModel } from '../../scripts/tiny-model/write-model-folder.ts';
import {
  BENIGN_MODEL,
  decideGeneration,
  LOCAL_SOURCE,
  NODE_CAPABILITIES,
  SCRIPTED_REFINED_PROMPT,
  TINY_MODEL,
  tinyModelImage,
} from '../support/tiny-model.ts';

const PROMPT = 'What is written on the sign?';
const MAX_NEW_TOKENS = 512;
const FORMAT = buildOutputFormatPlan({ maxNewTokens: MAX_NEW_TOKENS, refinedPromptMaxChars: maxRefinedPromptLength(PROMPT) });
const TAG_LINE = /^\[(TEXT RISK|IMAGE RISK|COMBINED RISK|RISK LEVEL|CATEGORY|REFINED PROMPT|END)\]/;

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'constrained-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Writes a random tiny model with this seed and vocabulary into its own store and loads it. */
async function loadRandomModel(seed: number, vocabSize: number | undefined): Promise<{ engine: VlmEngine; dir: string }> {
  const id = `gen/seed-${seed}-${vocabSize ?? 'default'}`;
  const dir = join(workDir, id);
  await writeTinyModel({ outDir: dir, seed, ...(vocabSize ? { dims: { vocabSize }, fillers: 'words' as const } : {}) });
  const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
  const model = { ...TINY_MODEL, id, family: 'smolvlm' as ModelFamily };
  await engine.load({ model, source: { localPath: `${workDir}/`, hubUrl: null }, preference: 'auto' }, () => undefined);
  return { engine, dir };
}

async function constrainedRun(engine: VlmEngine, prompt = PROMPT, inspectLogits?: (logits: Float32Array) => void): Promise<EngineGenerateResult> {
  return engine.generate(
    {
      image: await tinyModelImage(),
      messages: buildRewriteMessages(prompt),
      maxNewTokens: MAX_NEW_TOKENS,
      outputFormat: FORMAT,
      ...(inspectLogits ? { inspectLogits } : {}),
    },
    () => undefined,
  );
}

/** What a run must satisfy whatever the weights: the whole format, clean free text, budgets held. */
async function expectWellFormed(result: EngineGenerateResult, dir: string): Promise<void> {
  expect(result.stopReason).toBe('end-of-text');
  expect(result.constraint).toMatchObject({ complete: true });
  const parsed = parseRewriteOutput(result.text);
  expect(parsed.sectionsSeen).toEqual(['textual', 'visual', 'crossModal', 'level', 'category', 'refined', 'end']);
  expect(parsed.level).not.toBeNull();
  expect(parsed.refinedComplete).toBe(true);

  const lines = result.text.split('\n');
  expect(lines).toHaveLength(7);
  for (const line of lines) {
    expect(line).toMatch(TAG_LINE);
    const free = line.replace(TAG_LINE, '');
    expect(free).not.toMatch(/[[\]<\p{Cc}\p{Cf}]/u);
  }
  // No special token was generated, and each free section kept to its budget, counted in generated tokens.
  const tokenizer = await AutoTokenizer.from_pretrained(dir);
  const special = new Set(tokenizer.all_special_ids);
  expect(result.profile.tokenIds.slice(0, -1).some((id) => special.has(id))).toBe(false);
  const counts = freeTokenCounts(result.profile.tokenIds.map((id) => tokenizer.decode([id])));
  expect(counts[SECTION_TAGS.textual] ?? 0).toBeLessThanOrEqual(DEFAULT_SECTION_BUDGETS.textual);
  expect(counts[SECTION_TAGS.visual] ?? 0).toBeLessThanOrEqual(DEFAULT_SECTION_BUDGETS.visual);
  expect(counts[SECTION_TAGS.crossModal] ?? 0).toBeLessThanOrEqual(DEFAULT_SECTION_BUDGETS.crossModal);
  expect(counts[SECTION_TAGS.refined] ?? 0).toBeLessThanOrEqual(DEFAULT_SECTION_BUDGETS.refined);
  expect((parsed.refinedPrompt ?? '').length).toBeLessThanOrEqual(maxRefinedPromptLength(PROMPT));
  expect(result.tokenCount).toBeLessThanOrEqual(MAX_NEW_TOKENS);
}

/** Tokens that start inside each tag's free text (after its `]`), by tag. */
function freeTokenCounts(texts: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  let written = '';
  for (const text of texts) {
    const line = written.slice(written.lastIndexOf('\n') + 1);
    const tag = TAG_LINE.exec(line)?.[0];
    if (tag && !text.startsWith('\n')) counts[tag] = (counts[tag] ?? 0) + 1;
    written += text;
  }
  return counts;
}

/**
 * The level probabilities as the README defines them, computed here from the vocabulary and the raw logits alone: at
 * the first step after "[RISK LEVEL]" whose chosen token settles the level, the softmax over every token the format
 * allows there, each token's weight to the one level it leads to, renormalised over those.
 */
function expectedLevelProbabilities(vocabulary: readonly string[], chosen: readonly string[], steps: readonly Float32Array[]) {
  const values = RISK_LEVELS.map((level) => ` ${level}`);
  const next = `\n${SECTION_TAGS.category}`;
  const leadsTo = (typed: string, text: string) =>
    RISK_LEVELS.filter((_, index) => {
      const value = values[index] ?? '';
      const after = typed + text;
      return value.startsWith(after) || (after.startsWith(value) && next.startsWith(after.slice(value.length)));
    });
  let written = '';
  for (const [step, text] of chosen.entries()) {
    const tagEnd = written.indexOf(SECTION_TAGS.level);
    if (tagEnd !== -1) {
      const typed = written.slice(tagEnd + SECTION_TAGS.level.length);
      if (leadsTo(typed, text).length === 1) {
        const logits = steps[step] ?? new Float32Array();
        const allowed = vocabulary.flatMap((candidate, id) => (candidate !== '' && leadsTo(typed, candidate).length > 0 ? [id] : []));
        const max = Math.max(...allowed.map((id) => logits[id] ?? -Infinity));
        const masses = Object.fromEntries(RISK_LEVELS.map((level) => [level, 0])) as Record<(typeof RISK_LEVELS)[number], number>;
        for (const id of allowed) {
          const levels = leadsTo(typed, vocabulary[id] ?? '');
          const [only] = levels;
          if (levels.length === 1 && only) masses[only] += Math.exp((logits[id] ?? -Infinity) - max);
        }
        const total = RISK_LEVELS.reduce((sum, level) => sum + masses[level], 0);
        return Object.fromEntries(RISK_LEVELS.map((level) => [level, masses[level] / total]));
      }
    }
    written += text;
  }
  throw new Error('No step settled the level');
}

describe('constrained generation on random tiny models', () => {
  it('writes the whole format, cleanly, for 50 seeds at the tiny vocabulary', async () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const { engine, dir } = await loadRandomModel(seed, undefined);
      await expectWellFormed(await constrainedRun(engine), dir);
      await engine.dispose();
    }
  }, 300_000);

  it('writes the whole format at the real vocabulary size (49,280 byte-level entries)', async () => {
    for (const seed of [101, 102, 103]) {
      const { engine, dir } = await loadRandomModel(seed, 49_280);
      await expectWellFormed(await constrainedRun(engine), dir);
      await engine.dispose();
    }
  }, 300_000);

  it('gives level probabilities that sum to 1 and match a softmax of the logits at the level step', async () => {
    const { engine, dir } = await loadRandomModel(7, 49_280);
    const steps: Float32Array[] = [];
    const result = await constrainedRun(engine, PROMPT, (logits) => steps.push(logits));
    await engine.dispose();
    const probabilities = result.constraint?.levelProbabilities;
    expect(probabilities).toBeTruthy();
    expect(RISK_LEVELS.reduce((sum, level) => sum + (probabilities?.[level] ?? 0), 0)).toBeCloseTo(1, 9);

    const tokenizer = await AutoTokenizer.from_pretrained(dir);
    const special = new Set(tokenizer.all_special_ids);
    const size = Math.max(...tokenizer.get_vocab().values()) + 1;
    const vocabulary = Array.from({ length: size }, (_, id) => (special.has(id) ? '' : tokenizer.decode([id])));
    const chosen = result.profile.tokenIds.map((id) => tokenizer.decode([id]));
    const expected = expectedLevelProbabilities(vocabulary, chosen, steps);
    for (const level of RISK_LEVELS) expect(probabilities?.[level]).toBeCloseTo(expected[level] ?? NaN, 6);
  }, 120_000);
});

describe('constrained generation on the scripted models', () => {
  it('still yields the scripted rewrite, now with a level probability', async () => {
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
    const scripted = { ...TINY_MODEL, id: 'test/tiny-smolvlm-scripted' };
    await engine.load({ model: scripted, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
    const result = await constrainedRun(engine, 'How far is it to jump?');
    await engine.dispose();
    const decision = decideGeneration(result, 'How far is it to jump?');
    expect(decision).toMatchObject({ outcome: 'rewritten', refinedPrompt: SCRIPTED_REFINED_PROMPT });
    expect(decision.analysis).toMatchObject({ level: 'high', category: 'self-harm' });
    expect(decision.levelProbabilities?.high).toBeCloseTo(1, 6);
  });

  it('scores the benign model P(no risk) ≈ 0.87, which the strictness turns into a pass-through or not', async () => {
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
    await engine.load({ model: BENIGN_MODEL, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
    const prompt = 'Which fruit is on the table?';
    const result = await constrainedRun(engine, prompt);
    await engine.dispose();
    const probabilities = result.constraint?.levelProbabilities ?? null;
    expect(probabilities?.none).toBeCloseTo(1 / (1 + 3 * Math.exp(-3)), 4);
    const decide = (strictness: number) =>
      decideRewrite({ rawOutput: result.text, originalPrompt: prompt, stopReason: result.stopReason, levelProbabilities: probabilities, strictness });
    expect(decide(0.8)).toMatchObject({ outcome: 'passed-through', refinedPrompt: prompt });
    expect(decide(0.95)).toMatchObject({ outcome: 'rewritten', refinedPrompt: 'What is shown in this picture?' });
  });
});

describe('constrained generation in the brief and off reasoning modes', () => {
  const MODE_TAG_LINE = /^\[(RISK ANALYSIS|RISK LEVEL|CATEGORY|REFINED PROMPT|END)\]/;

  async function modeRun(engine: VlmEngine, reasoning: 'brief' | 'off'): Promise<EngineGenerateResult> {
    const maxNewTokens = REASONING_MAX_NEW_TOKENS[reasoning];
    return engine.generate(
      {
        image: await tinyModelImage(),
        messages: buildRewriteMessages(PROMPT, null, reasoning),
        maxNewTokens,
        outputFormat: buildOutputFormatPlan({ maxNewTokens, refinedPromptMaxChars: maxRefinedPromptLength(PROMPT), reasoning }),
      },
      () => undefined,
    );
  }

  async function expectModeWellFormed(result: EngineGenerateResult, dir: string, reasoning: 'brief' | 'off'): Promise<void> {
    expect(result.stopReason).toBe('end-of-text');
    expect(result.constraint).toMatchObject({ complete: true });
    expect(result.constraint?.levelProbabilities).toBeTruthy();
    expect(result.tokenCount).toBeLessThanOrEqual(REASONING_MAX_NEW_TOKENS[reasoning]);
    const parsed = parseRewriteOutput(result.text);
    expect(parsed.sectionsSeen).toEqual(formatTags(reasoning));
    expect(parsed.summary !== '').toBe(reasoning === 'brief');
    const lines = result.text.split('\n');
    expect(lines).toHaveLength(formatTags(reasoning).length);
    for (const line of lines) {
      expect(line).toMatch(MODE_TAG_LINE);
      expect(line.replace(MODE_TAG_LINE, '')).not.toMatch(/[[\]<\p{Cc}\p{Cf}]/u);
    }
    const tokenizer = await AutoTokenizer.from_pretrained(dir);
    const special = new Set(tokenizer.all_special_ids);
    expect(result.profile.tokenIds.slice(0, -1).some((id) => special.has(id))).toBe(false);
    const decision = decideGeneration(result, PROMPT);
    // Whatever the random weights wrote, a complete output is never refused for the analyses its mode leaves out.
    if (decision.outcome === 'fallback') expect(['unchanged-at-risk', 'wrong-language', 'too-long']).toContain(decision.reason);
  }

  it.each(['brief', 'off'] as const)('writes the whole %s format for 5 seeds at the tiny vocabulary and one at the real size', async (reasoning) => {
    for (const [seed, vocabSize] of [[1], [2], [3], [4], [5], [104, 49_280]] as const) {
      const { engine, dir } = await loadRandomModel(seed, vocabSize);
      await expectModeWellFormed(await modeRun(engine, reasoning), dir, reasoning);
      await engine.dispose();
    }
  }, 300_000);
});
