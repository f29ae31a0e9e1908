import { describe, expect, it } from 'vitest';
import { EVAL_FLAGS, EVAL_HELP, EvalArgumentError, parseEndpointArg, parseEvalOptions } from '../../scripts/eval/eval-options.ts';
import { METHODS } from '../../scripts/eval/eval-types.ts';

const U = 'http://127.0.0.1:8799/v1';
const BASE = ['--dataset', 'jsonl:items.jsonl', '--target', `name=a,url=${U},model=target-a`, '--judge', `name=j,url=${U},model=judge`];

describe('parseEndpointArg', () => {
  it('reads every field, with the documented defaults', () => {
    expect(parseEndpointArg(`name=a,url=${U}/,model=m`, '--target')).toEqual({
      name: 'a',
      baseURL: U,
      model: 'm',
      concurrency: 4,
      requestsPerMinute: null,
      pricing: null,
    });
    expect(parseEndpointArg(`name=a,url=${U},model=m,key-env=MY_KEY,concurrency=8,rpm=60,price-in=0.15,price-out=0.6`, '--target')).toEqual({
      name: 'a',
      baseURL: U,
      model: 'm',
      apiKeyEnv: 'MY_KEY',
      concurrency: 8,
      requestsPerMinute: 60,
      pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    });
  });

  it.each([
    [`url=${U},model=m`, 'name=… is missing'],
    [`name=a,url=ftp://x,model=m`, 'not an http(s) URL'],
    [`name=a,url=${U},model=m,colour=red`, '"colour=red" is not one of'],
    [`name=a,url=${U},model=m,concurrency=0`, 'concurrency 0: expected a whole number ≥ 1'],
    [`name=a,url=${U},model=m,price-in=1`, 'give both price-in and price-out'],
    [`name=a,name=b,url=${U},model=m`, 'name is given twice'],
  ])('refuses %s', (value, message) => {
    expect(() => parseEndpointArg(value, '--target')).toThrow(message);
  });
});

describe('parseEvalOptions', () => {
  it('fills the defaults the help text names', () => {
    const options = parseEvalOptions([...BASE, '--guard', `name=g,url=${U},model=guard`]);
    if (options === 'help') throw new Error('unexpected help');
    expect(options).toMatchObject({
      methods: [...METHODS],
      limit: null,
      strictness: 0.8,
      sweep: [],
      maxTokens: 512,
      constrained: true,
      ocr: true,
      rewriterConstraint: 'structured-outputs',
      rewriter: { kind: 'in-process' },
    });
    expect(options.outDir.endsWith('eval-results')).toBe(true);
  });

  it('reads a served rewriter, a sweep and switches', () => {
    const options = parseEvalOptions([
      ...BASE,
      '--methods', 'none,rewriter',
      '--rewriter-endpoint', `name=rw,url=${U},model=rewriter`,
      '--rewriter-constraint', 'guided-regex',
      '--sweep', '0,0.5,0.9,0.5',
      '--no-ocr',
      '--limit', '3',
      '--offline',
    ]);
    if (options === 'help') throw new Error('unexpected help');
    expect(options).toMatchObject({
      methods: ['none', 'rewriter'],
      rewriter: { kind: 'served', endpoint: { name: 'rw', model: 'rewriter' } },
      rewriterConstraint: 'guided-regex',
      sweep: [0, 0.5, 0.9],
      ocr: false,
      limit: 3,
      hubUrl: null,
    });
    const unconstrained = parseEvalOptions([...BASE, '--methods', 'rewriter', '--rewriter-endpoint', `name=rw,url=${U},model=rewriter`, '--no-constrain']);
    expect(unconstrained).toMatchObject({ rewriterConstraint: 'none', constrained: false });
  });

  it.each([
    [['--target', `name=a,url=${U},model=m`, '--judge', `name=j,url=${U},model=j`], '--dataset is required'],
    [['--dataset', 'jsonl:x', '--judge', `name=j,url=${U},model=j`], '--target is required'],
    [['--dataset', 'jsonl:x', '--target', `name=a,url=${U},model=m`], '--judge is required'],
    [[...BASE], '--methods includes guard'],
    [[...BASE, '--methods', 'none,magic'], 'unknown magic'],
    [[...BASE, '--methods', 'none', '--strictness', '2'], '--strictness 2: expected a number from 0 to 1'],
    [[...BASE, '--methods', 'none', '--sweep', '0.5,x'], '--sweep x'],
    [[...BASE, '--methods', 'none', '--dataset', 'nosuchformat:x'], 'unknown format'],
    [[...BASE, '--methods', 'none', '--target', `name=a,url=${U},model=other`], 'a is given twice'],
    [[...BASE, '--methods', 'rewriter', '--rewriter', 'x', '--rewriter-endpoint', `name=r,url=${U},model=r`], 'not both'],
    [[...BASE, '--methods', 'none', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses a bad command line (%#) with a message saying what is wrong', (args, message) => {
    expect(() => parseEvalOptions(args)).toThrow(EvalArgumentError);
    expect(() => parseEvalOptions(args)).toThrow(message);
  });

  it('--help documents every flag', () => {
    expect(parseEvalOptions(['--help'])).toBe('help');
    for (const flag of Object.keys(EVAL_FLAGS)) expect(EVAL_HELP).toContain(`--${flag}`);
  });
});
