import { describe, expect, it } from 'vitest';
import { currentProblem, isSending, startRuns, updateRun, visibleRuns, withoutErrors, type RemoteContext } from '../../src/app/remote-runs.ts';

const context: RemoteContext = {
  presetId: 'custom',
  baseUrl: 'http://127.0.0.1:8787/v1',
  model: 'test-vlm',
  apiKey: 'sk-1',
  sendImage: true,
  maxImageSide: 1024,
  recordId: 'record-1',
  originalPrompt: 'original',
  refinedPrompt: 'refined',
};

describe('remote answers', () => {
  it('a stopped earlier send cannot write "stopped" or its text into the next send’s answer', () => {
    const first = startRuns(1, context, ['refined']);
    const streaming = updateRun(first, 1, 'refined', { text: 'old partial', status: 'streaming' });
    // The second send replaces the first, which ends as stopped a moment later.
    const second = startRuns(2, context, ['refined']);
    const afterLateStop = updateRun(second, 1, 'refined', { text: 'old partial', status: 'stopped' });
    expect(afterLateStop.slots.refined).toEqual({ text: '', status: 'waiting', error: null, timings: null });
    expect(updateRun(afterLateStop, 2, 'refined', { text: 'new', status: 'streaming' }).slots.refined).toMatchObject({ text: 'new', status: 'streaming' });
    expect(streaming.slots.refined).toMatchObject({ text: 'old partial' });
  });

  it('an error shows only while the endpoint, model and inputs it came from are unchanged', () => {
    const failed = updateRun(startRuns(1, context, ['refined']), 1, 'refined', {
      status: 'failed',
      error: { kind: 'server', message: 'The server had an internal error (500).', status: 500, retryAfterMs: null, detail: null },
    });
    expect(visibleRuns(failed, context).slots.refined?.error?.message).toMatch(/500/);
    for (const change of [{ model: 'other' }, { baseUrl: 'http://localhost:1234/v1' }, { apiKey: 'sk-2' }, { maxImageSide: 512 }, { refinedPrompt: 'edited' }]) {
      expect(visibleRuns(failed, { ...context, ...change }).slots.refined).toBeUndefined();
    }
    // Cleared when the inputs change, the error does not come back when they change back.
    expect(visibleRuns(withoutErrors(failed), context).slots.refined).toBeUndefined();
    const problem = { message: 'Enter the name of the model to send to.', context };
    expect(currentProblem(problem, context)).toBe(problem.message);
    expect(currentProblem(problem, { ...context, model: 'test-vlm-large' })).toBeNull();
  });

  it('answers stay with the result they were asked for: another result on screen shows none, and says a send for the earlier one still runs', () => {
    const done = updateRun(startRuns(1, context, ['original', 'refined']), 1, 'refined', { text: 'answer', status: 'done' });
    expect(Object.keys(visibleRuns(done, context).slots)).toEqual(['original', 'refined']);
    const elsewhere = visibleRuns(done, { ...context, recordId: 'record-2' });
    expect(elsewhere).toEqual({ slots: {}, elsewhere: true });
    expect(isSending(done)).toBe(true);
    const finished = updateRun(done, 1, 'original', { text: 'answer', status: 'done' });
    expect(isSending(finished)).toBe(false);
    expect(visibleRuns(finished, { ...context, recordId: 'record-2' })).toEqual({ slots: {}, elsewhere: false });
  });
});
