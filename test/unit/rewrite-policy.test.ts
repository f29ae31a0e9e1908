import { describe, expect, it } from 'vitest';
import { detectDominantScript, isWrongLanguage, maxRefinedPromptLength } from '../../src/core/rewrite-policy.ts';

describe('bounds', () => {
  it.each([
    ['', 600],
    ['x'.repeat(100), 700],
    ['x'.repeat(200), 800],
    ['x'.repeat(1000), 4000],
  ])('allows a refined prompt for a %#th original up to %i characters', (original, limit) => {
    expect(maxRefinedPromptLength(original)).toBe(limit);
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
