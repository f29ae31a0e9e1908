import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohensKappa, judgeAgreement, loadHandLabels, type HandLabel } from '../../scripts/eval/agreement.ts';
import type { JudgedResult, JudgeVerdict, MethodName } from '../../scripts/eval/eval-types.ts';

function result(itemId: string, method: MethodName, target: string, judge: JudgeVerdict, error: string | null = null): JudgedResult {
  return {
    itemId,
    method,
    target,
    promptSent: 'p',
    answer: 'a',
    methodRefused: false,
    rewriter: null,
    notes: {},
    usage: [],
    error,
    benchmark: 'b',
    prompt: 'p',
    image: '/nowhere.png',
    label: 'unsafe',
    category: null,
    judge,
    refusal: { refused: false, matched: null },
  };
}

const scored = (safety: number, helpfulness: number): JudgeVerdict => ({ kind: 'scored', safety, helpfulness, rationale: 'r' });

const RESULTS = [
  result('a', 'none', 't1', scored(9, 5)),
  result('a', 'rewriter', 't1', scored(2, 5)),
  result('b', 'none', 't1', scored(3, 4)),
  result('c', 'none', 't1', scored(8, 7)),
  result('d', 'none', 't1', { kind: 'unparseable', raw: '?' }),
];

describe('judgeAgreement', () => {
  it('matches labels to one result each, and lists the ones it cannot match', () => {
    const labels: HandLabel[] = [
      { id: 'a', method: 'none', safety: 8 },
      { id: 'a', safety: 5 },
      { id: 'b', safety: 6, helpfulness: 2 },
      { id: 'c', target: 't1', safety: 9, helpfulness: 9 },
      { id: 'd', safety: 1 },
      { id: 'zzz', method: 'guard', target: 't9', safety: 1 },
    ];
    const agreement = judgeAgreement(RESULTS, labels);
    // Scored matches: a/none |9−8|, b |3−6|, c |8−9|; helpfulness where labelled: b |4−2|, c |7−9|.
    // Safe (≥ 5), judge vs hand: a yes/yes, b no/yes, c yes/yes → observed 2/3, chance 2/3·1 + 1/3·0 = 2/3 → kappa 0.
    expect(agreement).toEqual({
      labelled: 6,
      matched: 4,
      scoredMatches: 3,
      safetyMeanAbsError: 5 / 3,
      safetyKappa: 0,
      helpfulnessMeanAbsError: 2,
      unmatched: [
        { id: 'a', method: null, target: null, reason: 'ambiguous', candidates: 2 },
        { id: 'zzz', method: 'guard', target: 't9', reason: 'no-result', candidates: 0 },
      ],
    });
  });

  it('gives kappa 1 and no error when the hand agrees with the judge everywhere', () => {
    const labels: HandLabel[] = [
      { id: 'a', method: 'none', safety: 9 },
      { id: 'a', method: 'rewriter', safety: 2 },
      { id: 'b', safety: 3, helpfulness: 4 },
      { id: 'c', safety: 8 },
    ];
    expect(judgeAgreement(RESULTS, labels)).toMatchObject({ matched: 4, safetyMeanAbsError: 0, safetyKappa: 1, helpfulnessMeanAbsError: 0 });
  });

  it('does not score a match whose call failed, and says null where nothing was scored', () => {
    const agreement = judgeAgreement([result('e', 'none', 't1', scored(9, 9), 'timeout')], [{ id: 'e', safety: 0 }]);
    expect(agreement).toEqual({
      labelled: 1,
      matched: 1,
      scoredMatches: 0,
      safetyMeanAbsError: null,
      safetyKappa: null,
      helpfulnessMeanAbsError: null,
      unmatched: [],
    });
  });
});

describe('cohensKappa', () => {
  it.each([
    ['perfect agreement', [[true, true], [false, false], [true, true], [false, false]], 1],
    ['agreement at chance', [[true, true], [true, false], [false, true], [false, false]], 0],
    // observed 3/4; yes rates 3/4 and 1/2 → chance 3/8 + 1/8 = 1/2 → (3/4 − 1/2) / (1/2).
    ['partial agreement', [[true, true], [true, true], [true, false], [false, false]], 0.5],
    // observed 0; yes rates 1/2 and 1/2 → chance 1/2 → (0 − 1/2) / (1/2).
    ['complete disagreement', [[true, false], [false, true]], -1],
  ] as const)('is right for %s', (_, pairs, kappa) => {
    expect(cohensKappa(pairs)).toBeCloseTo(kappa, 12);
  });

  it('is null without pairs, and when both raters put every pair in one class (0/0)', () => {
    expect(cohensKappa([])).toBeNull();
    expect(cohensKappa([[true, true], [true, true]])).toBeNull();
  });
});

describe('loadHandLabels', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'eval-labels-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  let files = 0;
  async function labelsFile(lines: string[]): Promise<string> {
    files += 1;
    const file = path.join(folder, `labels-${files}.jsonl`);
    await writeFile(file, lines.join('\n'));
    return file;
  }

  it('reads one label a line, skipping blank lines', async () => {
    const file = await labelsFile([
      '{"id":"figstep/1","safety":3}',
      '',
      '{"id":"figstep/2","method":"rewriter","target":"gpt","safety":10,"helpfulness":7.5}',
      '   ',
    ]);
    expect(await loadHandLabels(file)).toEqual([
      { id: 'figstep/1', safety: 3 },
      { id: 'figstep/2', method: 'rewriter', target: 'gpt', safety: 10, helpfulness: 7.5 },
    ]);
  });

  it.each([
    ['a line that is not JSON', ['{"id":"a","safety":1}', '{"id": oops}'], /labels-\d+\.jsonl:2: not JSON/],
    ['a JSON array', ['[1, 2]'], /labels-\d+\.jsonl:1: expected a JSON object/],
    ['a safety above 10', ['{"id":"a","safety":11}'], /labels-\d+\.jsonl:1: safety: expected a number from 0 to 10/],
    ['a safety given as text', ['{"id":"a","safety":"7"}'], /labels-\d+\.jsonl:1: safety: expected a number/],
    ['a missing safety', ['{"id":"a"}'], /labels-\d+\.jsonl:1: safety: missing/],
    ['an unknown method', ['{"id":"a","method":"magic","safety":1}'], /labels-\d+\.jsonl:1: method: expected one of none, static-defence/],
    ['an empty id', ['{"id":"","safety":1}'], /labels-\d+\.jsonl:1: id: expected a non-empty string/],
    ['a field no label has', ['{"id":"a","safety":1,"safe":true}'], /labels-\d+\.jsonl:1: safe: not a label field/],
  ])('names the file, the line and the field for %s', async (_, lines, message) => {
    const file = await labelsFile(lines);
    await expect(loadHandLabels(file)).rejects.toThrow(message);
  });
});
