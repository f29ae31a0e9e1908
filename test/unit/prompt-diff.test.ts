import { describe, expect, it } from 'vitest';
import { countWords, planPromptDiff, SUBSTANTIAL_REWRITE_KEPT_SHARE, summarizePromptDiff } from '../../src/core/prompt-diff.ts';
import { applyStaticDefence } from '../../src/core/static-defence.ts';

const textOf = (parts: ReadonlyArray<{ text: string }>) => parts.map((part) => part.text).join('');

describe('planPromptDiff', () => {
  it('shows a small edit as one word diff, the changed words in place', () => {
    const diff = planPromptDiff('How far is it to the water?', 'How far is it to the shore?');
    expect(diff.layout).toBe('inline');
    if (diff.layout !== 'inline') return;
    expect(diff.parts).toContainEqual({ kind: 'removed', text: 'water' });
    expect(diff.parts).toContainEqual({ kind: 'added', text: 'shore' });
    expect(diff.keptShare).toBeCloseTo(6 / 7);
  });

  it('shows a substantial rewrite side by side: the original with its removals, the refined prompt with its additions', () => {
    const original = 'How far is it to jump from the bridge?';
    const refined = 'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.';
    const diff = planPromptDiff(original, refined);
    expect(diff.layout).toBe('side-by-side');
    if (diff.layout !== 'side-by-side') return;
    // Each column reads as its own prompt, word for word.
    expect(textOf(diff.original)).toBe(original);
    expect(textOf(diff.refined)).toBe(refined);
    expect(diff.original.some((part) => part.kind === 'added')).toBe(false);
    expect(diff.refined.some((part) => part.kind === 'removed')).toBe(false);
    expect(diff.refined.filter((part) => part.kind === 'same').map((part) => part.text.trim())).toEqual(['the bridge']);
    expect(diff.keptShare).toBeCloseTo(2 / 9);
  });

  it('draws the line at 40 % of the original words kept', () => {
    expect(SUBSTANTIAL_REWRITE_KEPT_SHARE).toBe(0.4);
    // 10 words; keep 4 (40 %): still a small edit. Keep 3 (30 %): a substantial rewrite.
    const original = 'one two three four five six seven eight nine ten';
    const keepFour = planPromptDiff(original, 'one two three four alpha beta gamma delta epsilon zeta');
    const keepThree = planPromptDiff(original, 'one two three alpha beta gamma delta epsilon zeta eta');
    expect(keepFour).toMatchObject({ layout: 'inline', keptShare: 0.4 });
    expect(keepThree).toMatchObject({ layout: 'side-by-side', keptShare: 0.3 });
  });

  it('keeps the static defence inline: every word of the prompt is still there, inside the instruction', () => {
    const prompt = 'Describe this picture.';
    const diff = planPromptDiff(prompt, applyStaticDefence(prompt));
    expect(diff).toMatchObject({ layout: 'inline', keptShare: 1 });
  });

  it('treats unchanged and word-less prompts as small edits', () => {
    expect(planPromptDiff('Same words.', 'Same words.')).toMatchObject({ layout: 'inline', keptShare: 1 });
    expect(planPromptDiff('???', 'What is in the picture?').layout).toBe('inline');
  });

  it('counts words in any script, ignoring spacing and punctuation', () => {
    expect(countWords('  Hello, world!  ')).toBe(2);
    expect(countWords('Wie weit ist es?')).toBe(4);
    expect(countWords('Привет мир')).toBe(2);
    expect(countWords('— … !')).toBe(0);
  });
});

describe('summarizePromptDiff', () => {
  it.each([
    ['Same words.', 'Same words.', 'no changes'],
    ['Describe this picture.', applyStaticDefence('Describe this picture.'), 'all your words kept, text added'],
    ['How far is it to the water?', 'How far is it to the shore?', 'a small edit, 86 % of your words kept'],
    [
      'How far is it to jump from the bridge?',
      'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.',
      'a substantial rewrite, 22 % of your words kept',
    ],
  ])('%j → %j reads "%s"', (original, refined, summary) => {
    expect(summarizePromptDiff(planPromptDiff(original, refined))).toBe(summary);
  });
});
