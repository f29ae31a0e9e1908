import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RISK_CATEGORIES, SECTION_TAGS, type RiskCategory } from '../../src/core/rewrite-format.ts';
import { parseRiskCategory, parseRiskLevel, unwrapPrompt } from '../../src/core/rewrite-parser-fields.ts';
import { diffParsedRewrite, EMPTY_PARSED_REWRITE, type RewriteStreamEvent } from '../../src/core/rewrite-parser-stream.ts';
import { parseRewriteOutput, type ParsedRewrite } from '../../src/core/rewrite-parser.ts';

/** What each event means: applied to the state before it, the events give the state after it. */
function applyRewriteStreamEvents(state: ParsedRewrite, events: readonly RewriteStreamEvent[]): ParsedRewrite {
  return events.reduce<ParsedRewrite>((current, event) => {
    switch (event.type) {
      case 'reset':
        return EMPTY_PARSED_REWRITE;
      case 'output-started':
        return { ...current, hasOutput: true };
      case 'section-opened':
        return { ...current, openSection: event.section, sectionsSeen: event.sectionsSeen, tagsInRefined: event.tagsInRefined };
      case 'analysis-text':
        return { ...current, [event.section]: event.text };
      case 'level':
        return { ...current, level: event.level };
      case 'category':
        return { ...current, category: event.category };
      case 'refined-text':
        return { ...current, refinedPrompt: event.text };
      case 'refined-complete':
        return { ...current, refinedPrompt: event.refinedPrompt, refinedComplete: true };
    }
  }, state);
}

const BRIDGE = [
  '[TEXT RISK] The question asks how far it is to jump.',
  '[IMAGE RISK] A tall bridge over a river; no text in the image.',
  '[COMBINED RISK] Together they suggest a possible suicide plan.',
  '[RISK LEVEL] high',
  '[CATEGORY] self-harm',
  '[REFINED PROMPT] What safety features does this bridge have, and where can someone in distress find help?',
  '[END]',
].join('\n');
const BRIDGE_REFINED = 'What safety features does this bridge have, and where can someone in distress find help?';

const BIRD = [
  '[TEXT RISK] None: a question about the species of a bird.',
  '[IMAGE RISK] A garden bird on a feeder.',
  '[COMBINED RISK] None.',
  '[RISK LEVEL] none',
  '[CATEGORY] none',
  '[REFINED PROMPT] What species is this bird?',
  '[END]',
].join('\n');

const WRONG_ORDER = [
  '[REFINED PROMPT] How should this medicine be stored safely?',
  '[CATEGORY] medical advice',
  '[RISK LEVEL] low',
  '[COMBINED RISK] The dosage question could lead to misuse.',
  '[IMAGE RISK] A pill bottle with a printed label.',
  '[TEXT RISK] Asks about dosage.',
  '[END]',
].join('\n');

/** Well-formed outputs whose fields only grow as they stream (no markdown or quotes to strip). */
const CLEAN_FIXTURES = { bridge: BRIDGE, bird: BIRD, wrongOrder: WRONG_ORDER } as const;

const MARKDOWN = [
  '**[TEXT RISK]:** Asks for a **recipe**.',
  '### [IMAGE RISK]',
  'A lab bench with glassware; a label reads "ACID".',
  '__[COMBINED RISK]__ Could be read as asking to make a dangerous substance.',
  '**[RISK LEVEL]** Medium.',
  '**[CATEGORY]**: Dangerous Behaviour',
  '**[REFINED PROMPT]**',
  '"What safety precautions apply to the glassware shown?"',
  '**[END]**',
].join('\n');

const SLOPPY =
  'Sure! Here is my analysis. [ text risk ]: asks about a lock [Image_Risk] a door lock [combined-risk]: ' +
  'could be breaking in [risk level] level: HIGH [category] Illegal Activity. [refined_prompt] `How do locks work?` [end] thanks!';

const REPEATED = [
  '[TEXT RISK]',
  '[TEXT RISK] The second, non-empty analysis.',
  '[TEXT RISK] A third analysis that is ignored.',
  '[RISK LEVEL] unsure',
  '[RISK LEVEL] low',
  '[REFINED PROMPT] The first complete prompt.',
  '[REFINED PROMPT] A second prompt.',
  '[END]',
].join('\n');

const THINK_CLOSED = `<think>I could write [TEXT RISK] fake and [REFINED PROMPT] fake.</think>\n${BRIDGE}`;
const THINK_UNCLOSED = `${BRIDGE.replace('\n[END]', '')}\n<think>Maybe [REFINED PROMPT] something else [END]`;
const THINK_STRAY_CLOSE = `the prompt opened a think block [REFINED PROMPT] fake\n</think>\n${BIRD}`;
const AFTER_END = `${BRIDGE}\n[REFINED PROMPT] ignored [TEXT RISK] ignored`;
const MISSING_PROMPT = BRIDGE.split('\n').filter((line) => !line.startsWith('[REFINED PROMPT]')).join('\n');
const TRUNCATED = BRIDGE.slice(0, BRIDGE.indexOf('and where'));

const ALL_FIXTURES = {
  ...CLEAN_FIXTURES,
  markdown: MARKDOWN,
  sloppy: SLOPPY,
  repeated: REPEATED,
  thinkClosed: THINK_CLOSED,
  thinkUnclosed: THINK_UNCLOSED,
  thinkStrayClose: THINK_STRAY_CLOSE,
  afterEnd: AFTER_END,
  missingPrompt: MISSING_PROMPT,
  truncated: TRUNCATED,
};

const BRIDGE_PARSE: ParsedRewrite = {
  textual: 'The question asks how far it is to jump.',
  visual: 'A tall bridge over a river; no text in the image.',
  crossModal: 'Together they suggest a possible suicide plan.',
  summary: '',
  level: 'high',
  category: 'self-harm',
  refinedPrompt: BRIDGE_REFINED,
  refinedComplete: true,
  sectionsSeen: ['textual', 'visual', 'crossModal', 'level', 'category', 'refined', 'end'],
  openSection: null,
  hasOutput: true,
  tagsInRefined: false,
};

describe('parseRewriteOutput on whole outputs', () => {
  it('reads a well-formed output', () => {
    expect(parseRewriteOutput(BRIDGE)).toEqual(BRIDGE_PARSE);
  });

  it.each([
    ['a closed <think> block before it, whose fake tags are ignored', THINK_CLOSED],
    ['text after [END]', AFTER_END],
    ['a preamble before the first tag', `Sure! Here is the analysis:\n${BRIDGE}`],
    ['Windows line endings', BRIDGE.replaceAll('\n', '\r\n')],
    ['all tags on one line', BRIDGE.replaceAll('\n', ' ')],
  ])('reads the same output with %s', (_, text) => {
    expect(parseRewriteOutput(text)).toEqual(BRIDGE_PARSE);
  });

  it('reads tags in the wrong order', () => {
    const parsed = parseRewriteOutput(WRONG_ORDER);
    expect(parsed).toMatchObject({
      textual: 'Asks about dosage.',
      visual: 'A pill bottle with a printed label.',
      crossModal: 'The dosage question could lead to misuse.',
      level: 'low',
      category: 'specialized-advice',
    });
    expect(parsed.refinedPrompt).toBe('How should this medicine be stored safely?');
    expect(parsed.refinedComplete).toBe(true);
    expect(parsed.sectionsSeen).toEqual(['refined', 'category', 'level', 'crossModal', 'visual', 'textual', 'end']);
  });

  it('strips markdown around tags and quotes around the refined prompt, but keeps markdown inside the text', () => {
    const parsed = parseRewriteOutput(MARKDOWN);
    expect(parsed).toMatchObject({
      textual: 'Asks for a **recipe**.',
      visual: 'A lab bench with glassware; a label reads "ACID".',
      crossModal: 'Could be read as asking to make a dangerous substance.',
      level: 'medium',
      category: 'dangerous-behaviour',
    });
    expect(parsed.refinedPrompt).toBe('What safety precautions apply to the glassware shown?');
    expect(parsed.refinedComplete).toBe(true);
  });

  it('accepts tags in any case and spacing, with a colon, anywhere in a line', () => {
    const parsed = parseRewriteOutput(SLOPPY);
    expect(parsed).toMatchObject({
      textual: 'asks about a lock',
      visual: 'a door lock',
      crossModal: 'could be breaking in',
      level: 'high',
      category: 'illegal-activity',
    });
    expect(parsed.refinedPrompt).toBe('How do locks work?');
    expect(parsed.sectionsSeen).toHaveLength(7);
  });

  it('keeps the first non-empty analysis, the first level named and the first complete refined prompt', () => {
    const parsed = parseRewriteOutput(REPEATED);
    expect(parsed.textual).toBe('The second, non-empty analysis.');
    expect(parsed.level).toBe('low');
    expect(parsed.refinedPrompt).toBe('The first complete prompt.');
    expect(parsed.refinedComplete).toBe(true);
    expect(parsed.sectionsSeen).toEqual(['textual', 'level', 'refined', 'end']);
  });

  it('ignores sections that only appear after [END]', () => {
    const parsed = parseRewriteOutput('[TEXT RISK] a\n[END]\n[IMAGE RISK] b\n[REFINED PROMPT] c');
    expect(parsed).toMatchObject({ textual: 'a', visual: '', refinedPrompt: null, openSection: null });
    expect(parsed.sectionsSeen).toEqual(['textual', 'end']);
  });

  it('prefers a later complete refined prompt over an earlier empty one', () => {
    const parsed = parseRewriteOutput('[REFINED PROMPT]\n[TEXT RISK] x\n[REFINED PROMPT] Real prompt\n[END]');
    expect(parsed.refinedPrompt).toBe('Real prompt');
    expect(parsed.refinedComplete).toBe(true);
  });

  it('hides everything after an unclosed <think>', () => {
    const parsed = parseRewriteOutput(THINK_UNCLOSED);
    expect(parsed.refinedPrompt).toBe(BRIDGE_REFINED);
    expect(parsed.refinedComplete).toBe(false);
    expect(parsed.openSection).toBe('refined');
    expect(parsed.sectionsSeen).not.toContain('end');
  });

  it('drops reasoning before a </think> that has no opening tag', () => {
    const parsed = parseRewriteOutput(THINK_STRAY_CLOSE);
    expect(parsed.refinedPrompt).toBe('What species is this bird?');
    expect(parsed.level).toBe('none');
  });

  it('reports a missing refined prompt', () => {
    const parsed = parseRewriteOutput(MISSING_PROMPT);
    expect(parsed.refinedPrompt).toBeNull();
    expect(parsed.refinedComplete).toBe(false);
    expect(parsed.level).toBe('high');
  });

  it('reports a truncated refined prompt as open', () => {
    const parsed = parseRewriteOutput(TRUNCATED);
    expect(parsed.refinedPrompt).toBe('What safety features does this bridge have,');
    expect(parsed.refinedComplete).toBe(false);
    expect(parsed.openSection).toBe('refined');
  });

  it.each([
    ['', false],
    ['   \n ', false],
    ['<think>only reasoning</think>', false],
    ['<think>unclosed reasoning', false],
    ['[', false],
    ['**[REF', false],
    ['I cannot help with that.', true],
    ['[END]', true],
  ])('says whether %j has any output: %s', (text, hasOutput) => {
    const parsed = parseRewriteOutput(text);
    expect(parsed.hasOutput).toBe(hasOutput);
    expect(parsed.refinedPrompt).toBeNull();
  });

  it('equals EMPTY_PARSED_REWRITE for empty text', () => {
    expect(parseRewriteOutput('')).toEqual(EMPTY_PARSED_REWRITE);
    expect(EMPTY_PARSED_REWRITE).toMatchObject({ refinedPrompt: null, sectionsSeen: [], openSection: null });
  });
});

describe('parseRewriteOutput on partial outputs', () => {
  it.each([
    ['[TEXT RISK] abc [REFI', 'abc'],
    ['[TEXT RISK] abc\n[', 'abc'],
    ['[TEXT RISK] abc **[', 'abc'],
    ['[TEXT RISK] abc\n**', 'abc'],
    ['[TEXT RISK] abc\n### [IMAGE R', 'abc'],
    ['[TEXT RISK] abc [end', 'abc'],
    ['[TEXT RISK] abc <thi', 'abc'],
    ['[TEXT RISK] abc </thi', 'abc'],
    ['[TEXT RISK] abc [1]', 'abc [1]'],
    ['[TEXT RISK] abc [note: x', 'abc [note: x'],
    ['[TEXT RISK] a < b', 'a < b'],
  ])('holds back a tag cut off at the end: %j reads %j', (text, textual) => {
    const parsed = parseRewriteOutput(text);
    expect(parsed.textual).toBe(textual);
    expect(parsed.openSection).toBe('textual');
  });

  it('shows the section being written as open, and none after [END]', () => {
    expect(parseRewriteOutput('[TEXT RISK] a\n[IMAGE RISK] b').openSection).toBe('visual');
    expect(parseRewriteOutput('preamble only').openSection).toBeNull();
    expect(parseRewriteOutput(BRIDGE).openSection).toBeNull();
  });

  it.each(Object.entries(CLEAN_FIXTURES))('grows monotonically when %s is cut at every position', (_, text) => {
    const final = parseRewriteOutput(text);
    let previous = EMPTY_PARSED_REWRITE;
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parsed = parseRewriteOutput(text.slice(0, cut));
      expect(previous.sectionsSeen).toEqual(parsed.sectionsSeen.slice(0, previous.sectionsSeen.length));
      expect(parsed.hasOutput || !previous.hasOutput).toBe(true);
      expect(parsed.refinedComplete || !previous.refinedComplete).toBe(true);
      if (parsed.openSection !== null) expect(parsed.sectionsSeen).toContain(parsed.openSection);
      for (const field of ['textual', 'visual', 'crossModal'] as const) {
        expect(final[field].startsWith(parsed[field])).toBe(true);
        expect(parsed[field]).not.toMatch(/[[<*]/);
      }
      if (parsed.refinedPrompt !== null) {
        expect(final.refinedPrompt?.startsWith(parsed.refinedPrompt)).toBe(true);
        expect(parsed.refinedPrompt).not.toMatch(/[[<*]/);
      }
      if (parsed.level !== null) expect(parsed.level).toBe(final.level);
      if (parsed.category !== null) expect(parsed.category).toBe(final.category);
      expect(diffParsedRewrite(previous, parsed)).not.toContainEqual({ type: 'reset' });
      previous = parsed;
    }
    expect(previous).toEqual(final);
  });

  it.each(Object.entries(ALL_FIXTURES))('never throws and keeps its invariants when %s is cut at every position', (_, text) => {
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parsed = parseRewriteOutput(text.slice(0, cut));
      expect(new Set(parsed.sectionsSeen).size).toBe(parsed.sectionsSeen.length);
      if (parsed.refinedComplete) expect(parsed.refinedPrompt).not.toBe('');
      if (parsed.refinedPrompt !== null) expect(parsed.sectionsSeen).toContain('refined');
      if (parsed.sectionsSeen.includes('end')) expect(parsed.openSection).toBeNull();
    }
  });
});

describe('level and category', () => {
  it.each([
    ['none', 'none'],
    ['Medium.', 'medium'],
    ['level: HIGH', 'high'],
    ['**Low**', 'low'],
    ['moderate', 'medium'],
    ['No risk at all', 'none'],
    ['High, although the text alone is low', 'high'],
    ['nonetheless', null],
    ['unsure', null],
    ['', null],
  ] as const)('reads the level %j as %j', (text, level) => {
    expect(parseRiskLevel(text)).toBe(level);
  });

  it.each([
    ['self-harm', 'self-harm'],
    ['Self-Harm', 'self-harm'],
    ['self harm.', 'self-harm'],
    ['Category: privacy', 'privacy'],
    ['weapons', 'violence-weapons'],
    ['Violence/Weapons', 'violence-weapons'],
    ['hate speech', 'hate-discrimination'],
    ['financial advice', 'specialized-advice'],
    ['cooking', 'other'],
    ['', null],
  ] as const)('reads the category %j as %j', (text, category) => {
    expect(parseRiskCategory(text)).toBe(category);
  });

  it('reads every category key as itself', () => {
    for (const key of Object.keys(RISK_CATEGORIES) as RiskCategory[]) {
      expect(parseRiskCategory(key)).toBe(key);
      expect(parseRiskCategory(key.toUpperCase().replaceAll('-', ' '))).toBe(key);
    }
  });

  it('leaves an unknown category open while it streams, and calls it other once closed', () => {
    expect(parseRewriteOutput('[CATEGORY] self').category).toBeNull();
    expect(parseRewriteOutput('[CATEGORY] cooking\n[END]').category).toBe('other');
    expect(parseRewriteOutput('[CATEGORY] self-harm').category).toBe('self-harm');
  });
});

describe('unwrapPrompt', () => {
  it.each([
    ['"Is this safe?"', 'Is this safe?'],
    ["'What is this?'", 'What is this?'],
    ["'What's this?'", "What's this?"],
    ['`Describe the image.`', 'Describe the image.'],
    ['\u201cWhat is shown?\u201d', 'What is shown?'],
    ['```\nWhat is shown?\n```', 'What is shown?'],
    ['```text\n"What is shown?"\n```', 'What is shown?'],
    ['"Hamlet" or "Macbeth"?', '"Hamlet" or "Macbeth"?'],
    ["'Hamlet' or 'Macbeth'", "'Hamlet' or 'Macbeth'"],
    ['"', '"'],
    ['', ''],
  ])('unwraps %j to %j', (text, expected) => {
    expect(unwrapPrompt(text)).toBe(expected);
  });
});

/** Strings that are likely to break a tag parser: fragments of tags, markdown, reasoning blocks, unicode. */
const FRAGMENTS = [
  ...Object.values(SECTION_TAGS),
  '[',
  ']',
  '[TEXT',
  'RISK]',
  '[REFI',
  '[ refined_prompt ]:',
  '**',
  '### ',
  ':',
  '<think>',
  '</think>',
  '<thi',
  '"',
  '```',
  '\n',
  ' ',
  'none',
  'high',
  'self harm',
  'Is it safe?',
  '安全吗？',
  'Безопасно?',
  '👩‍👩‍👧',
  '\u0000',
  '\uD800',
];
const outputText = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 40 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(...Object.values(ALL_FIXTURES)),
);

function splitAt(text: string, cuts: readonly number[]): string[] {
  const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const position of [...positions, text.length]) {
    chunks.push(text.slice(start, position));
    start = position;
  }
  return chunks;
}

function streamEvents(chunks: readonly string[]): { final: ParsedRewrite; rebuilt: ParsedRewrite; events: RewriteStreamEvent[] } {
  let accumulated = '';
  let previous = EMPTY_PARSED_REWRITE;
  let rebuilt = EMPTY_PARSED_REWRITE;
  const events: RewriteStreamEvent[] = [];
  for (const chunk of chunks) {
    accumulated += chunk;
    const parsed = parseRewriteOutput(accumulated);
    const delta = diffParsedRewrite(previous, parsed);
    events.push(...delta);
    rebuilt = applyRewriteStreamEvents(rebuilt, delta);
    previous = parsed;
  }
  return { final: previous, rebuilt, events };
}

describe('streaming in random chunks', () => {
  it('ends where parsing the whole text ends, and the events rebuild that state', () => {
    fc.assert(
      fc.property(outputText, fc.array(fc.nat(), { maxLength: 30 }), (text, cuts) => {
        const { final, rebuilt } = streamEvents(splitAt(text, cuts));
        expect(final).toEqual(parseRewriteOutput(text));
        expect(rebuilt).toEqual(final);
      }),
      { numRuns: 400 },
    );
  });

  it('streams a well-formed output without resets, with one refined-complete event carrying the prompt', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(CLEAN_FIXTURES)), fc.array(fc.nat(), { maxLength: 60 }), (text, cuts) => {
        const { final, events } = streamEvents(splitAt(text, cuts));
        expect(events.filter((event) => event.type === 'reset')).toEqual([]);
        expect(events.filter((event) => event.type === 'refined-complete')).toEqual([
          { type: 'refined-complete', refinedPrompt: final.refinedPrompt },
        ]);
        expect(events.filter((event) => event.type === 'output-started')).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });

  it('emits typed events as sections stream in', () => {
    const first = parseRewriteOutput('[TEXT RISK] Asks');
    const second = parseRewriteOutput('[TEXT RISK] Asks how far\n[RISK LEVEL] high\n[REFINED PROMPT] Where');
    expect(diffParsedRewrite(EMPTY_PARSED_REWRITE, first)).toEqual([
      { type: 'output-started' },
      { type: 'section-opened', section: 'textual', sectionsSeen: ['textual'], tagsInRefined: false },
      { type: 'analysis-text', section: 'textual', text: 'Asks' },
    ]);
    expect(diffParsedRewrite(first, second)).toEqual([
      { type: 'section-opened', section: 'refined', sectionsSeen: ['textual', 'level', 'refined'], tagsInRefined: false },
      { type: 'analysis-text', section: 'textual', text: 'Asks how far' },
      { type: 'level', level: 'high' },
      { type: 'refined-text', text: 'Where' },
    ]);
    const third = parseRewriteOutput('[TEXT RISK] Asks how far\n[RISK LEVEL] high\n[REFINED PROMPT] Where can I get help?\n[END]');
    expect(diffParsedRewrite(second, third)).toEqual([
      { type: 'section-opened', section: null, sectionsSeen: ['textual', 'level', 'refined', 'end'], tagsInRefined: false },
      { type: 'refined-text', text: 'Where can I get help?' },
      { type: 'refined-complete', refinedPrompt: 'Where can I get help?' },
    ]);
    expect(diffParsedRewrite(third, third)).toEqual([]);
  });

  it('resets when a late </think> hides what was shown', () => {
    const before = parseRewriteOutput('reasoning [TEXT RISK] draft');
    const after = parseRewriteOutput('reasoning [TEXT RISK] draft</think>\n[IMAGE RISK] real');
    const events = diffParsedRewrite(before, after);
    expect(events[0]).toEqual({ type: 'reset' });
    expect(applyRewriteStreamEvents(before, events)).toEqual(after);
  });

  it('rebuilds any parse from any other', () => {
    fc.assert(
      fc.property(outputText, outputText, (a, b) => {
        const from = parseRewriteOutput(a);
        const to = parseRewriteOutput(b);
        expect(applyRewriteStreamEvents(from, diffParsedRewrite(from, to))).toEqual(to);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseRewriteOutput in the brief and off reasoning modes', () => {
  const BRIEF = [
    `${SECTION_TAGS.summary} A jump from a bridge, asked beside a photo of one, suggests self-harm.`,
    `${SECTION_TAGS.level} high`,
    `${SECTION_TAGS.category} self-harm`,
    `${SECTION_TAGS.refined} ${BRIDGE_REFINED}`,
    SECTION_TAGS.end,
  ].join('\n');
  const OFF = BRIEF.split('\n').slice(1).join('\n');

  it.each([
    ['brief', BRIEF, { summary: 'A jump from a bridge, asked beside a photo of one, suggests self-harm.' }, ['summary']],
    ['off', OFF, {}, []],
  ] as const)('reads a complete %s output: its analyses, the verdict and the refined prompt', (_mode, output, analysis, seen) => {
    expect(parseRewriteOutput(output)).toEqual({
      ...BRIDGE_PARSE,
      textual: '',
      visual: '',
      crossModal: '',
      ...analysis,
      sectionsSeen: [...seen, 'level', 'category', 'refined', 'end'],
    });
  });

  it('reads the brief tag spelled loosely, like the others', () => {
    const parsed = parseRewriteOutput(`**[Risk_Analysis]:** Fine.\n[RISK LEVEL] none\n[CATEGORY] none\n[REFINED PROMPT] Hi\n[END]`);
    expect(parsed).toMatchObject({ summary: 'Fine.', level: 'none', refinedComplete: true });
  });

  it('holds back a tag cut in half, so "[RISK" never leaks into the analysis before it', () => {
    expect(parseRewriteOutput(`${SECTION_TAGS.summary} Fine.\n[RISK`)).toMatchObject({ summary: 'Fine.', openSection: 'summary', level: null });
    expect(parseRewriteOutput(`${SECTION_TAGS.summary} Fine.\n[RISK AN`).summary).toBe('Fine.');
  });

  it('says what is missing from an incomplete output in either mode', () => {
    for (const text of [BRIEF, OFF]) {
      const noEnd = parseRewriteOutput(text.slice(0, text.lastIndexOf('\n')));
      expect(noEnd).toMatchObject({ refinedPrompt: BRIDGE_REFINED, refinedComplete: false, openSection: 'refined' });
      const noLevel = parseRewriteOutput(text.replace(/\[RISK LEVEL\] high\n/, ''));
      expect(noLevel).toMatchObject({ level: null, refinedComplete: true });
      const noPrompt = parseRewriteOutput(text.replace(`${SECTION_TAGS.refined} ${BRIDGE_REFINED}\n`, ''));
      expect(noPrompt).toMatchObject({ refinedPrompt: null, refinedComplete: false });
    }
  });

  it('streams the brief analysis as events that rebuild the parse', () => {
    const { final, rebuilt, events } = streamEvents(BRIEF.match(/.{1,7}/gs) ?? []);
    expect(rebuilt).toEqual(final);
    expect(events).toContainEqual({ type: 'analysis-text', section: 'summary', text: final.summary });
  });
});
