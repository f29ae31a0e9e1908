import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRewriteOutput } from '../../src/core/rewrite-parser.ts';
import type { RiskReport } from '../../scripts/synthesize/sft-record.ts';
import { checkRefinedPrompt } from '../../scripts/synthesize/stage-refine.ts';
import { hindsightMessages, QUOTED, readQuoted } from '../../scripts/synthesize/teacher-prompts.ts';
import { readAnalysisReply, readHindsightReply, readRefineReply } from '../../scripts/synthesize/teacher-replies.ts';

const REPORT_LINES = [
  'TEXTUAL: The wording asks how to open a lock without its key.',
  'VISUAL: A padlock on a gate.',
  'CROSS-MODAL: Together they ask to break into this property.',
  'LEVEL: high',
  'CATEGORY: illegal-activity',
];

const risky: RiskReport = {
  textual: 'Asks how to open a lock without its key.',
  visual: 'A padlock on a gate.',
  crossModal: 'Together they ask to break in.',
  level: 'high',
  category: 'illegal-activity',
};

describe('the teacher reply readers', () => {
  it('read a risk report, tolerating Markdown, a preamble, a reasoning block and a field running on', () => {
    const reply = ['<think>LEVEL: none</think>Here is the report:', '', '**Textual:** The wording asks how to open a lock', 'without its key.', ...REPORT_LINES.slice(1, 3), '- level: High.', '## CATEGORY: Illegal-Activity'].join('\n');
    expect(readAnalysisReply(reply)).toEqual({
      ok: true,
      value: {
        textual: 'The wording asks how to open a lock without its key.',
        visual: 'A padlock on a gate.',
        crossModal: 'Together they ask to break into this property.',
        level: 'high',
        category: 'illegal-activity',
      },
    });
  });

  it('reject a report that is missing a field, repeats one differently, names no allowed value or contradicts itself', () => {
    const without = (label: string) => REPORT_LINES.filter((line) => !line.startsWith(label)).join('\n');
    const replaced = (label: string, line: string) => REPORT_LINES.map((old) => (old.startsWith(label) ? line : old)).join('\n');
    const reasons = [
      readAnalysisReply(without('VISUAL')),
      readAnalysisReply([...REPORT_LINES, 'LEVEL: low'].join('\n')),
      readAnalysisReply(replaced('LEVEL', 'LEVEL: severe')),
      readAnalysisReply(replaced('CATEGORY', 'CATEGORY: burglary')),
      readAnalysisReply(replaced('CATEGORY', 'CATEGORY: none')),
      readAnalysisReply(replaced('LEVEL', 'LEVEL: none')),
      readAnalysisReply(replaced('VISUAL', 'VISUAL: **')),
    ].map((reading) => (reading.ok ? 'read' : reading.reason));
    expect(reasons).toEqual([
      "risk report: the teacher's reply has no VISUAL: line",
      "risk report: the teacher's reply gives LEVEL twice, differently",
      'risk report: the LEVEL is not one of none, low, medium, high',
      "risk report: the CATEGORY is not one of the format's",
      'risk report: it contradicts itself (the category is none exactly when the level is)',
      'risk report: it contradicts itself (the category is none exactly when the level is)',
      "risk report: the teacher's VISUAL line is empty",
    ]);
  });

  it('read the hindsight analysis and the refined prompt, and reject replies without their lines', () => {
    expect(readHindsightReply('WHY UNSAFE: It explains the steps.\nWHY SAFE: It declines them.')).toEqual({
      ok: true,
      value: { whyUnsafe: 'It explains the steps.', whySafe: 'It declines them.' },
    });
    expect(readHindsightReply('WHY UNSAFE: It explains the steps.')).toMatchObject({ ok: false, reason: "hindsight: the teacher's reply has no WHY SAFE: line" });
    expect(readRefineReply('Refined prompt: What keeps a gate secure?\nDo not explain how to break in.')).toEqual({
      ok: true,
      value: 'What keeps a gate secure? Do not explain how to break in.',
    });
    expect(readRefineReply('What keeps a gate secure?')).toMatchObject({ ok: false, detail: 'the reply: "What keeps a gate secure?"' });
  });
});

describe('the refine stage check', () => {
  const prompt = 'How do I open this lock without the key?';
  const reason = (refined: string) => {
    const checked = checkRefinedPrompt(prompt, risky, refined);
    return checked.ok ? 'kept' : checked.reason;
  };

  it('keeps a refined prompt the app would send on, with the output it writes', () => {
    const refined = 'Who can legally help me when I am locked out, and how do I contact a locksmith? Do not explain how to bypass the lock.';
    const checked = checkRefinedPrompt(prompt, risky, refined);
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(parseRewriteOutput(checked.value.output).refinedPrompt).toBe(refined);
  });

  it('rejects a bare refusal, the prompt unchanged, another script, a prompt over the length bound, and format characters', () => {
    expect(reason("I'm sorry, but I can't help with that.")).toBe('the refined prompt is a bare refusal');
    expect(reason('how do I open this lock, without the key')).toBe('the app would not send the refined prompt on: unchanged-at-risk');
    expect(reason('Как законно вызвать слесаря, если я потерял ключ?')).toBe('the app would not send the refined prompt on: wrong-language');
    expect(reason(`Who can help? ${'Please be safe. '.repeat(60)}`)).toBe('the app would not send the refined prompt on: too-long');
    expect(reason('Who can help? [END]')).toBe("the refined prompt cannot be written in the rewriter's format");
  });
});

describe('the teacher prompts', () => {
  it('quote the material so that it reads back exactly, whatever fences it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '`', '\n', ' ', 'B') }), fc.string(), (unsafe, safe) => {
        const [, user] = hindsightMessages({ prompt: 'What is this?', unsafe, safe });
        const material = (user?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
        expect(readQuoted(material, QUOTED.unsafe)).toBe(unsafe);
        expect(readQuoted(material, QUOTED.safe)).toBe(safe);
        expect(readQuoted(material, QUOTED.question)).toBe('What is this?');
      }),
    );
  });
});
