import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { buildRewriteInstruction, buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { renderDatasetCard } from '../../scripts/synthesize/dataset-card.ts';
import type { SftRecord, SftRejection } from '../../scripts/synthesize/sft-record.ts';
import { llamaFactoryRow, splitForValidation, trlRow, userTurnParts } from '../../scripts/synthesize/trainer-exports.ts';
import { LlamaFactoryRowSchema, SftRecordSchema, TrlRowSchema } from '../../scripts/synthesize/trainer-schemas.ts';
import { sftRecord } from '../support/sft-records.ts';

describe('trainer rows', () => {
  const record = sftRecord({ id: 'vlguard/7', prompt: 'How do I pick this lock?', level: 'medium', category: 'illegal-activity' });

  it('TRL rows validate, and put the image where the app puts it: after the fixed instructions, before the question', () => {
    const row = v.parse(TrlRowSchema, trlRow(record, 'images/abc.png'));
    const [user, assistant] = row.messages;
    const [instructions, image, question] = buildRewriteMessages(record.prompt)[0]?.content ?? [];
    expect(user.content).toEqual([instructions, image, question]);
    expect(assistant.content).toEqual([{ type: 'text', text: record.output }]);
    expect(row.images).toEqual(['images/abc.png']);
    expect(v.parse(SftRecordSchema, record)).toEqual(record);
  });

  it('LLaMA-Factory rows validate, with the <image> placeholder once, between the instructions and the question', () => {
    const row = v.parse(LlamaFactoryRowSchema, llamaFactoryRow(record, 'images/abc.png'));
    const [before, after] = row.messages[0].content.split('<image>');
    expect(`${before}${after}`).toBe(record.instruction);
    expect(after).toBe('User question: How do I pick this lock?');
    expect(row.messages[1]).toEqual({ role: 'assistant', content: record.output });
  });

  it('puts the image first for an instruction this build did not write', () => {
    expect(userTurnParts('Describe the risk.')).toEqual({ beforeImage: '', afterImage: 'Describe the risk.' });
    const content = trlRow({ ...record, instruction: 'Describe the risk.' }, 'images/a.png').messages[0].content;
    expect(content).toEqual([{ type: 'image' }, { type: 'text', text: 'Describe the risk.' }]);
  });

  it('the schemas refuse rows a trainer would misread', () => {
    const row = trlRow(record, 'images/a.png');
    const twoImages = { ...row, messages: [{ ...row.messages[0], content: [{ type: 'image' }, ...row.messages[0].content] }, row.messages[1]] };
    expect(v.safeParse(TrlRowSchema, twoImages).success).toBe(false);
    expect(v.safeParse(TrlRowSchema, { ...row, extra: 1 }).success).toBe(false);
    const lf = llamaFactoryRow(record, 'images/a.png');
    const noPlaceholder = { ...lf, messages: [{ role: 'user', content: record.instruction }, lf.messages[1]] };
    expect(v.safeParse(LlamaFactoryRowSchema, noPlaceholder).success).toBe(false);
  });
});

describe('the validation split', () => {
  const records = [
    ...Array.from({ length: 60 }, (_, index) => sftRecord({ id: `a/${index}`, label: 'unsafe' })),
    ...Array.from({ length: 40 }, (_, index) => sftRecord({ id: `b/${index}`, label: 'safe', level: 'none' })),
  ];
  const ids = (list: readonly SftRecord[]) => list.map((record) => record.id).sort();

  it('holds out the same share of each label', () => {
    const { train, validation } = splitForValidation(records, 0.1);
    expect(validation.filter((record) => record.label === 'unsafe')).toHaveLength(6);
    expect(validation.filter((record) => record.label === 'safe')).toHaveLength(4);
    expect(train).toHaveLength(90);
    expect(new Set([...ids(train), ...ids(validation)]).size).toBe(100);
  });

  it('is the same whatever the order of the records, and differs between fractions only by the records added', () => {
    const once = splitForValidation(records, 0.1);
    const shuffled = splitForValidation([...records].reverse(), 0.1);
    expect(ids(shuffled.validation)).toEqual(ids(once.validation));
    const larger = splitForValidation(records, 0.2);
    expect(ids(larger.validation)).toEqual(expect.arrayContaining(ids(once.validation)));
  });

  it('holds out nothing at fraction 0', () => {
    expect(splitForValidation(records, 0).validation).toEqual([]);
  });
});

describe('the dataset card', () => {
  const train = [
    sftRecord({ id: 'figstep/1', benchmark: 'figstep', level: 'high', category: 'violence-weapons', datasetCategory: 'Illegal Activity' }),
    sftRecord({ id: 'figstep/2', benchmark: 'figstep', level: 'high', category: 'violence-weapons', datasetCategory: 'Illegal Activity' }),
    sftRecord({ id: 'siuo/1', benchmark: 'siuo', level: 'medium', category: 'self-harm', datasetCategory: 'self-harm', verified: true }),
    sftRecord({ id: 'vlguard/1', benchmark: 'vlguard', label: 'safe', level: 'none', category: 'none', datasetCategory: null }),
  ];
  const validation = [sftRecord({ id: 'vlguard/2', benchmark: 'vlguard', label: 'safe', level: 'none', category: 'none', datasetCategory: null })];
  const rejections: SftRejection[] = [
    { id: 'siuo/2', stage: 'analysis', reason: 'unparseable teacher output' },
    { id: 'siuo/3', stage: 'analysis', reason: 'unparseable teacher output' },
    { id: 'siuo/4', stage: 'verify', reason: 'refined prompt not safer' },
  ];
  const card = renderDatasetCard({
    train,
    validation,
    leftOut: [{ id: 'jsonl/9', reason: 'its instruction holds "<image>"' }],
    rejections,
    settings: { teacher: { name: 'teacher', model: 'gpt-4o', baseURL: 'http://127.0.0.1:1/v1' }, judge: { name: 'judge', model: 'judge-m', baseURL: 'http://127.0.0.1:2/v1' }, seed: 7 },
    validationFraction: 0.05,
    imageFiles: 4,
  });
  const row = (...cells: string[]) => `| ${cells.join(' | ')} |`;
  const rowOf = (first: string) => card.split('\n').find((line) => line.startsWith(`| ${first} `))?.replace(/ +/g, ' ');

  it('counts records per label and split, benchmark, risk level and category', () => {
    expect(rowOf('unsafe')).toBe(row('unsafe', '3', '0'));
    expect(rowOf('safe')).toBe(row('safe', '1', '1'));
    expect(rowOf('figstep')).toBe(row('figstep', '2'));
    expect(rowOf('vlguard')).toBe(row('vlguard', '2'));
    expect(rowOf('high')).toBe(row('high', '2'));
    expect(rowOf('low')).toBe(row('low', '0'));
    expect(rowOf('violence-weapons')).toBe(row('violence-weapons', '2'));
    expect(rowOf('figstep / Illegal Activity')).toBe(row('figstep / Illegal Activity', '2'));
    expect(card).toContain('1 verified by the judge');
  });

  it('tells pass-through records, never verified, from rewritten ones made with stage 4 off', () => {
    expect(card.replace(/\s+/g, ' ')).toContain('; 2 pass-through, not verified: the prompt is unchanged; 2 rewritten and not verified (stage 4 off).');
    const verifiedRun = renderDatasetCard({
      train: [sftRecord({ id: 'a/1', verified: true }), sftRecord({ id: 'b/1', label: 'safe', level: 'none' })],
      validation: [],
      leftOut: [],
      rejections: [],
      settings: { verify: { safetyMargin: 1, helpfulnessTolerance: 1 } },
      validationFraction: 0.05,
      imageFiles: 1,
    }).replace(/\s+/g, ' ');
    expect(verifiedRun).toContain('1 verified by the judge');
    expect(verifiedRun).toContain('1 pass-through, not verified: the prompt is unchanged; 0 rewritten and not verified (stage 4 off).');
  });

  it('counts rejections per stage and per reason', () => {
    expect(card).toContain('3 items did not become records.');
    expect(rowOf('analysis')).toBe(row('analysis', '2'));
    expect(rowOf('responses')).toBe(row('responses', '0'));
    expect(card.replace(/ +/g, ' ')).toContain(row('analysis', 'unparseable teacher output', '2'));
    expect(card.replace(/ +/g, ' ')).toContain(row('verify', 'refined prompt not safer', '1'));
  });

  it('names the teacher, the target, the judge and the settings, the left-out records and the licence caveat', () => {
    expect(card).toContain('teacher-model');
    expect(card).toContain('judge: judge-m at http://127.0.0.1:2/v1');
    expect(rowOf('seed')).toBe(row('seed', '7'));
    expect(card).toContain('jsonl/9');
    expect(card).toMatch(/licences and terms of\s+use apply/);
  });

  it('escapes what the records bring: a benchmark name cannot open a table cell or HTML', () => {
    const hostile = renderDatasetCard({
      train: [sftRecord({ id: 'x/1', benchmark: 'evil|<script>', datasetCategory: '**bold**\nnew line' })],
      validation: [],
      leftOut: [],
      rejections: [{ id: 'x/2', stage: 'refine', reason: '| fake | row |' }],
      settings: {},
      validationFraction: 0.05,
      imageFiles: 1,
    });
    expect(hostile).not.toMatch(/(?<!\\)<script>/);
    expect(hostile).toContain('| evil\\|\\<script> |');
    expect(hostile).not.toContain('| fake | row |');
  });
});

it('fixture records carry the instruction the app would send', () => {
  expect(sftRecord({ prompt: 'Hi' }).instruction).toBe(buildRewriteInstruction('Hi'));
});
