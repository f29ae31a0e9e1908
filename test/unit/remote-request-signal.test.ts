import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { requestSignal } from '../../src/remote/request-signal.ts';

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

describe('requestSignal', () => {
  it('runs until a deadline or the user stops it', () => {
    const running = requestSignal(new AbortController().signal, { totalMs: 10_000, firstByteMs: 10_000 });
    expect(running.signal.aborted).toBe(false);
    expect(running.stopCause()).toBeNull();
  });

  it('the first-byte deadline stops a request that has had no event yet, with a TimeoutError', async () => {
    const waiting = requestSignal(undefined, { totalMs: 10_000, firstByteMs: 20 });
    await aborted(waiting.signal);
    expect(waiting.stopCause()).toEqual({ by: 'timeout', phase: 'first-byte', afterMs: 20 });
    expect(waiting.signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('after the first event only the total deadline applies', async () => {
    const streaming = requestSignal(undefined, { totalMs: 120, firstByteMs: 20 });
    streaming.firstEventArrived();
    await delay(60);
    expect(streaming.signal.aborted).toBe(false);
    await aborted(streaming.signal);
    expect(streaming.stopCause()).toEqual({ by: 'timeout', phase: 'total', afterMs: 120 });
  });

  it("the user's Stop stays the cause when a deadline passes later", async () => {
    const controller = new AbortController();
    const stopped = requestSignal(controller.signal, { totalMs: 20 });
    controller.abort();
    expect(stopped.stopCause()).toEqual({ by: 'user' });
    await delay(40);
    expect(stopped.stopCause()).toEqual({ by: 'user' });
  });

  it('a signal aborted before the request starts stops it at once', () => {
    expect(requestSignal(AbortSignal.abort(), { totalMs: 10_000 }).stopCause()).toEqual({ by: 'user' });
  });
});
