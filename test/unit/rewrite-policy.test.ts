import { describe, expect, it } from 'vitest';
import type { FallbackReason } from '../../src/core/rewrite-format.ts';
import { parseRewriteOutput } from '../../src/core/rewrite-parser.ts';
import {
  decideRewrite,
  describeFallbackReason,
  detectDominantScript,
  EMPTY_ANALYSIS,
  isWrongLanguage,
  maxRefinedPromptLength,
  staticDefenceResult,
} from '../../src/core/rewrite-policy.ts';
import type { StopReason } from '../../src/core/rewriter-api.ts';
import { applyStaticDefence } from '../../src/core/static-defence.ts';

const ORIGINAL = 'How far is it to jump from this bridge?';
const ANALYSIS = [
  '[TEXT RISK] Asks about the height of a jump.',
  '[IMAGE RISK] A high bridge.',
  '[COMBINED RISK] Suggests self-harm.',
  '[RISK LEVEL] high',
  '[CATEGORY] self-harm',
].join('\n');
const REFINED = 'What safety measures does this bridge have, and where can someone in crisis find support?';

function output(refined: string, end = '\n[END]'): string {
  return `${ANALYSIS}\n[REFINED PROMPT] ${refined}${end}`;
}

function decide(text: string, stopReason: StopReason = 'end-of-text', originalPrompt = ORIGINAL) {
  return decideRewrite(parseRewriteOutput(text), { originalPrompt, stopReason });
}

describe('decideRewrite', () => {
  it('rewrites with a complete refined prompt and keeps the analysis', () => {
    const result = decide(output(REFINED));
    expect(result).toEqual({
      outcome: 'rewritten',
      refinedPrompt: REFINED,
      analysis: {
        textual: 'Asks about the height of a jump.',
        visual: 'A high bridge.',
        crossModal: 'Suggests self-harm.',
        level: 'high',
        category: 'self-harm',
      },
    });
  });

  it.each(['end-of-text', 'max-tokens', 'stopped'] as const)(
    'passes the original prompt through unchanged at level none (stop reason %s), whatever the model wrote',
    (stopReason) => {
      const text = '[TEXT RISK] Benign.\n[RISK LEVEL] None.\n[REFINED PROMPT] Something the model invented';
      const result = decide(text, stopReason);
      expect(result.outcome).toBe('passed-through');
      expect(result.refinedPrompt).toBe(ORIGINAL);
      expect(result.analysis.level).toBe('none');
    },
  );

  it('passes through a prompt with odd whitespace byte for byte', () => {
    const original = '  what  is this?\n';
    expect(decide('[RISK LEVEL] none\n[REFINED PROMPT] what is this?\n[END]', 'end-of-text', original).refinedPrompt).toBe(original);
  });

  it('keeps a refined prompt identical to the original at level high: the model judged that wording safe to send', () => {
    const result = decide(output(ORIGINAL));
    expect(result).toMatchObject({ outcome: 'rewritten', refinedPrompt: ORIGINAL });
  });

  it('rewrites when the level could not be read but the refined prompt is usable', () => {
    const result = decide(`[RISK LEVEL] unclear\n[REFINED PROMPT] ${REFINED}\n[END]`);
    expect(result).toMatchObject({ outcome: 'rewritten', refinedPrompt: REFINED });
    expect(result.analysis.level).toBeNull();
  });

  it('accepts a refined prompt closed by the end of text instead of [END]', () => {
    expect(decide(output(REFINED, ''), 'end-of-text').outcome).toBe('rewritten');
  });

  it('accepts a refined prompt closed by a later tag even if the output was then cut off', () => {
    const text = `[REFINED PROMPT] ${REFINED}\n[TEXT RISK] Asks about`;
    expect(decide(text, 'max-tokens')).toMatchObject({ outcome: 'rewritten', refinedPrompt: REFINED });
  });

  it('keeps a refined prompt finished before the user pressed stop', () => {
    expect(decide(output(REFINED), 'stopped').outcome).toBe('rewritten');
  });

  const longRefined = 'Please describe the bridge. '.repeat(30);
  it.each<[FallbackReason, string, StopReason]>([
    ['empty-output', '', 'end-of-text'],
    ['empty-output', '<think>The user asks about a bridge.</think>\n', 'end-of-text'],
    ['empty-output', '<think>still thinking when tokens ran out', 'max-tokens'],
    ['missing-refined-prompt', `${ANALYSIS}\n[END]`, 'end-of-text'],
    ['missing-refined-prompt', 'I cannot help with that.', 'end-of-text'],
    ['missing-refined-prompt', `${ANALYSIS}\n[REFINED PROMPT]\n[END]`, 'end-of-text'],
    ['missing-refined-prompt', ANALYSIS, 'max-tokens'],
    ['missing-refined-prompt', `${ANALYSIS}\n[REFINED PROMPT]\n[END]`, 'max-tokens'],
    ['missing-refined-prompt', output('', ''), 'end-of-text'],
    ['truncated', output('What safety measures', ''), 'max-tokens'],
    ['truncated', output('', ''), 'max-tokens'],
    ['too-long', output(longRefined), 'end-of-text'],
    ['wrong-language', output('这座桥有哪些安全措施？在哪里可以获得帮助？'), 'end-of-text'],
    ['stopped', output('What safety measures', ''), 'stopped'],
    ['stopped', '', 'stopped'],
  ])('falls back with reason %s', (reason, text, stopReason) => {
    const result = decide(text, stopReason);
    expect(result).toMatchObject({ outcome: 'fallback', reason, refinedPrompt: applyStaticDefence(ORIGINAL) });
    expect(result.refinedPrompt).toContain(ORIGINAL);
  });

  it('keeps what the model said in a fallback, for display', () => {
    const result = decide(output('What safety measures', ''), 'max-tokens');
    expect(result.analysis.level).toBe('high');
    expect(result.analysis.textual).toBe('Asks about the height of a jump.');
  });
});

describe('bounds', () => {
  it.each([
    ['', 600],
    ['x'.repeat(100), 700],
    ['x'.repeat(200), 800],
    ['x'.repeat(1000), 4000],
  ])('allows a refined prompt for a %#th original up to %i characters', (original, limit) => {
    expect(maxRefinedPromptLength(original)).toBe(limit);
  });

  it('accepts a refined prompt exactly at the bound and rejects one just over it', () => {
    const original = 'What is this?';
    const limit = maxRefinedPromptLength(original);
    const at = `${'a'.repeat(limit - 1)}?`;
    expect(decide(output(at), 'end-of-text', original).outcome).toBe('rewritten');
    expect(decide(output(`${at}?`), 'end-of-text', original)).toMatchObject({ outcome: 'fallback', reason: 'too-long' });
  });
});

describe('language heuristic', () => {
  it.each([
    ['How far is it to jump?', 'latin'],
    ['Wie weit ist es bis zum Wasser?', 'latin'],
    ['Как далеко до воды?', 'cyrillic'],
    ['这座桥有多高？', 'cjk'],
    ['この橋の高さは？', 'cjk'],
    ['كم يبعد الماء؟', 'arabic'],
    ['Πόσο ψηλή είναι η γέφυρα;', 'greek'],
    ['OK?', null],
    ['2 + 2 = ?', null],
    ['abcd 这座桥有', null],
  ] as const)('sees the script of %j as %s', (text, script) => {
    expect(detectDominantScript(text)).toBe(script);
  });

  it.each([
    ['How far is it to jump?', 'Where can I find help?', false],
    ['How far is it to jump?', 'Wo finde ich Hilfe?', false],
    ['How far is it to jump?', '我在哪里可以找到帮助？', true],
    ['Как далеко до воды?', 'Where can I find help?', true],
    ['这座桥有多高？', '这座桥有哪些安全措施？', false],
    ['这座桥有多高？', 'What safety features does the "桥" have?', true],
    ['How far to "大桥" from here?', 'What safety features does 大桥 have?', false],
    ['OK?', '我在哪里可以找到帮助？', false],
  ] as const)('judges %j rewritten as %j wrong-language: %s', (original, refined, wrong) => {
    expect(isWrongLanguage(original, refined)).toBe(wrong);
  });
});

describe('staticDefenceResult and describeFallbackReason', () => {
  it('wraps the prompt for the model-free mode with an empty analysis', () => {
    expect(staticDefenceResult(ORIGINAL, 'no-model')).toEqual({
      outcome: 'fallback',
      refinedPrompt: applyStaticDefence(ORIGINAL),
      analysis: EMPTY_ANALYSIS,
      reason: 'no-model',
    });
    expect(EMPTY_ANALYSIS).toEqual({ textual: '', visual: '', crossModal: '', level: null, category: null });
  });

  it('describes every reason differently, in a sentence', () => {
    const reasons: FallbackReason[] = ['empty-output', 'missing-refined-prompt', 'truncated', 'too-long', 'wrong-language', 'stopped', 'no-model'];
    const descriptions = reasons.map(describeFallbackReason);
    expect(new Set(descriptions).size).toBe(reasons.length);
    for (const description of descriptions) expect(description).toMatch(/^[A-Z].+\.$/);
  });
});
