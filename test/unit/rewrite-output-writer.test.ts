import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRewrite, DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import { RISK_CATEGORIES, RISK_LEVELS, type RiskCategory, type RiskLevel, type SectionName } from '../../src/core/rewrite-format.ts';
import { formatRewriteOutput, RewriteFormatError, type RiskReportFields } from '../../src/core/rewrite-output-writer.ts';
import { parseRewriteOutput } from '../../src/core/rewrite-parser.ts';

const HARMS = (Object.keys(RISK_CATEGORIES) as RiskCategory[]).filter((category) => category !== 'none');
const RISKY_LEVELS = RISK_LEVELS.filter((level) => level !== 'none');

/** Characters and pieces the format can hold, including ones that look like its own syntax without brackets. */
const PIECES = ['a', 'Z', 'é', 'ж', '中', '7', ' ', '  ', '\n', '\r\n', '\t', '.', ',', '?', ':', '"', "'", '*', '**', '#', '_', '-', '(', ')', '>', 'none', 'high', 'RISK LEVEL', 'END', 'think'];
const LETTERS = ['a', 'Q', 'é', 'ж', '中'];

/** A text that starts with a letter (so it is neither quoted nor led by a colon), padded with blank space around. */
const cleanText = fc
  .tuple(fc.constantFrom(...LETTERS), fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), fc.constantFrom('', ' ', '\n', ' \n\t'))
  .map(([first, rest, pad]) => `${pad}${first}${rest.join('')}${pad}`);

/** Latin prose, so that two of them are always in the same script for the decision's language check. */
const latinText = fc
  .tuple(fc.constantFrom('How', 'What', 'Where', 'Describe'), fc.array(fc.constantFrom(' the', ' lock', ' dog', ' is', ' safe', ',', '?', ' 3'), { maxLength: 12 }))
  .map(([first, rest]) => `${first}${rest.join('')}`);

const verdict = fc.oneof(
  fc.constant<[RiskLevel, RiskCategory]>(['none', 'none']),
  fc.tuple(fc.constantFrom(...RISKY_LEVELS), fc.constantFrom(...HARMS)),
);

const report = fc.record({ textual: cleanText, visual: cleanText, crossModal: cleanText, verdict }).map(
  ({ verdict: [level, category], ...texts }): RiskReportFields => ({ ...texts, level, category }),
);

/** What a reader of the output sees of a field: its words, one space apart. */
const words = (text: string) => text.split(/\s+/).filter((word) => word !== '').join(' ');

function formatError(run: () => unknown): RewriteFormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof RewriteFormatError) return error;
    throw error;
  }
  throw new Error('expected a RewriteFormatError');
}

const riskyReport: RiskReportFields = { textual: 'Asks for a weapon.', visual: 'A knife.', crossModal: 'Together: harm.', level: 'high', category: 'violence-weapons' };

describe('formatRewriteOutput', () => {
  it('writes an output that the parser reads back to the same fields, line breaks turned into spaces', () => {
    fc.assert(
      fc.property(report, cleanText, (fields, refined) => {
        const output = formatRewriteOutput(fields, refined);
        const parsed = parseRewriteOutput(output);
        expect(parsed.textual).toBe(words(fields.textual));
        expect(parsed.visual).toBe(words(fields.visual));
        expect(parsed.crossModal).toBe(words(fields.crossModal));
        expect(parsed.level).toBe(fields.level);
        expect(parsed.category).toBe(fields.category);
        expect(parsed.refinedPrompt).toBe(words(refined));
        expect(parsed.refinedComplete).toBe(true);
        expect(parsed.tagsInRefined).toBe(false);
        expect(parsed.sectionsSeen).toEqual(['textual', 'visual', 'crossModal', 'level', 'category', 'refined', 'end']);
        expect(output.endsWith('\n[END]')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('reads back every level and category of the format', () => {
    for (const level of RISKY_LEVELS) {
      for (const category of HARMS) {
        const parsed = parseRewriteOutput(formatRewriteOutput({ ...riskyReport, level, category }, 'What is safe to know here?'));
        expect([parsed.level, parsed.category]).toEqual([level, category]);
      }
    }
  });

  it('refuses a bracket, an angle bracket, a control or a format character in any field, naming the field', () => {
    const sections = ['textual', 'visual', 'crossModal', 'refined'] as const satisfies readonly SectionName[];
    fc.assert(
      fc.property(fc.constantFrom(...sections), fc.constantFrom('[', ']', '<', '\u0000', '\u001b', '\u200b', '\u202e'), cleanText, (section, bad, text) => {
        const spoilt = `${text.trim()} ${bad} more`;
        const run = () =>
          section === 'refined' ? formatRewriteOutput(riskyReport, spoilt) : formatRewriteOutput({ ...riskyReport, [section]: spoilt }, 'Is it safe?');
        expect(formatError(run).section).toBe(section);
      }),
    );
  });

  it('refuses empty text, a leading colon, a refined prompt the parser would unquote, and a contradictory verdict', () => {
    expect(formatError(() => formatRewriteOutput({ ...riskyReport, visual: ' \n ' }, 'Is it safe?')).section).toBe('visual');
    expect(formatError(() => formatRewriteOutput({ ...riskyReport, textual: ': asks for harm' }, 'Is it safe?')).section).toBe('textual');
    expect(formatError(() => formatRewriteOutput(riskyReport, '"What is this?"')).section).toBe('refined');
    expect(formatError(() => formatRewriteOutput({ ...riskyReport, level: 'none' }, 'Is it safe?')).message).toMatch(/none exactly when the level is none/);
    expect(formatError(() => formatRewriteOutput({ ...riskyReport, category: 'none' }, 'Is it safe?')).section).toBe('category');
    expect(formatError(() => formatRewriteOutput({ ...riskyReport, level: 'extreme' as RiskLevel }, 'Is it safe?')).section).toBe('level');
  });
});

describe('what the decision makes of a written output', () => {
  const decide = (output: string, prompt: string) =>
    decideRewrite({ rawOutput: output, originalPrompt: prompt, stopReason: 'end-of-text', levelProbabilities: null, strictness: DEFAULT_STRICTNESS });

  it('passes a level-none output whose refined prompt is the prompt through unchanged', () => {
    fc.assert(
      fc.property(report, latinText, (fields, prompt) => {
        const result = decide(formatRewriteOutput({ ...fields, level: 'none', category: 'none' }, prompt), prompt);
        expect(result.outcome).toBe('passed-through');
        expect(result.refinedPrompt).toBe(prompt);
      }),
    );
  });

  it('uses the refined prompt of a risky output', () => {
    fc.assert(
      fc.property(report.filter((fields) => fields.level !== 'none'), latinText, latinText, (fields, prompt, refined) => {
        fc.pre(refined.toLowerCase().replace(/[^a-z0-9]/g, '') !== prompt.toLowerCase().replace(/[^a-z0-9]/g, ''));
        const result = decide(formatRewriteOutput(fields, refined), prompt);
        expect(result.outcome).toBe('rewritten');
        expect(result.refinedPrompt).toBe(refined);
        expect(result.analysis.level).toBe(fields.level);
        expect(result.analysis.category).toBe(fields.category);
      }),
    );
  });
});
