import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callKey, CallLog, canonicalJson } from '../../scripts/eval/call-log.ts';

const Answer = v.object({ text: v.string() });
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'eval-call-log-'));
  file = path.join(dir, 'calls.jsonl');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const target = (key: string) => ({ key, kind: 'target', endpoint: 'a', item: 'bench/1' });
const answering = (text: string, counter: { calls: number }) => async () => {
  counter.calls += 1;
  return { answer: { text }, usage: { promptTokens: 3, completionTokens: 2 }, ms: 5 };
};

describe('call keys', () => {
  it('do not depend on the order of object keys, and do on every input', () => {
    const parts = { kind: 'target', endpoint: { baseURL: 'http://x/v1', model: 'm' }, item: 'i', inputs: { prompt: 'p', image: '/a.png' } };
    const reordered = { inputs: { image: '/a.png', prompt: 'p' }, item: 'i', endpoint: { model: 'm', baseURL: 'http://x/v1' }, kind: 'target' };
    expect(callKey(reordered)).toBe(callKey(parts));
    expect(callKey({ ...parts, inputs: { ...parts.inputs, prompt: 'q' } })).not.toBe(callKey(parts));
    expect(callKey({ ...parts, endpoint: { baseURL: 'http://y/v1', model: 'm' } })).not.toBe(callKey(parts));
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});

describe('CallLog', () => {
  it('answers a logged success from the file without calling again, and counts it as cached', async () => {
    const counter = { calls: 0 };
    const first = (await CallLog.open(file)).log;
    expect((await first.getOrCall(target('k1'), Answer, answering('hello', counter))).cached).toBe(false);
    await first.close();

    const reopened = await CallLog.open(file);
    expect(reopened.logged).toBe(1);
    const again = await reopened.log.getOrCall(target('k1'), Answer, answering('other', counter));
    expect(again).toMatchObject({ answer: { text: 'hello' }, cached: true });
    expect(counter.calls).toBe(1);
    expect(reopened.log.counts('a')).toMatchObject({ calls: 0, cachedCalls: 1, promptTokens: 3, completionTokens: 2 });
    await reopened.log.close();
  });

  it('logs a failure with its error, rethrows it, and calls again on the next run', async () => {
    const first = (await CallLog.open(file)).log;
    await expect(first.getOrCall(target('k'), Answer, () => Promise.reject(new Error('HTTP 500')))).rejects.toThrow('HTTP 500');
    expect(first.counts('a')).toMatchObject({ calls: 1, failedCalls: 1 });
    await first.close();
    const line = JSON.parse((await readFile(file, 'utf8')).trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ key: 'k', kind: 'target', endpoint: 'a', item: 'bench/1', answer: null, error: 'HTTP 500' });
    expect(typeof line['time']).toBe('string');

    const counter = { calls: 0 };
    const second = await CallLog.open(file);
    expect(second.logged).toBe(0);
    expect((await second.log.getOrCall(target('k'), Answer, answering('ok', counter))).answer.text).toBe('ok');
    expect(counter.calls).toBe(1);
    await second.log.close();
  });

  it('drops a torn last line, says which, and appends whole lines after it', async () => {
    const counter = { calls: 0 };
    const first = (await CallLog.open(file)).log;
    await first.getOrCall(target('k1'), Answer, answering('one', counter));
    await first.close();
    await writeFile(file, `${await readFile(file, 'utf8')}{"key":"k2","kind":"tar`);

    const reopened = await CallLog.open(file);
    expect(reopened).toMatchObject({ logged: 1, tornLine: 2 });
    await reopened.log.getOrCall(target('k2'), Answer, answering('two', counter));
    await reopened.log.close();
    const third = await CallLog.open(file);
    expect(third).toMatchObject({ logged: 2, tornLine: null });
    await third.log.close();
  });

  it('makes one call for concurrent requests with the same key', async () => {
    const counter = { calls: 0 };
    const { log } = await CallLog.open(file);
    const both = await Promise.all([log.getOrCall(target('k'), Answer, answering('x', counter)), log.getOrCall(target('k'), Answer, answering('y', counter))]);
    expect(counter.calls).toBe(1);
    expect(both.map((logged) => logged.answer.text)).toEqual(['x', 'x']);
    await log.close();
  });

  it('calls again when a logged answer no longer fits the expected shape', async () => {
    await writeFile(file, `${JSON.stringify({ key: 'k', kind: 'target', endpoint: 'a', item: 'i', answer: { wrong: 1 }, usage: null, ms: 1, time: 't', error: null })}\n`);
    const counter = { calls: 0 };
    const { log } = await CallLog.open(file);
    expect((await log.getOrCall(target('k'), Answer, answering('fresh', counter))).answer.text).toBe('fresh');
    expect(counter.calls).toBe(1);
    await log.close();
  });

  it('refuses a file with a broken line before its end, naming the line', async () => {
    await writeFile(file, 'not json\n{"also": "wrong"}\n');
    await expect(CallLog.open(file)).rejects.toThrow(`${file}:1`);
  });
});
