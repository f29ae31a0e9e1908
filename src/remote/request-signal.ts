import type { StopCause } from './remote-errors.ts';

export interface Deadlines {
  totalMs: number;
  /** Until the first stream event; none for a request that does not stream. */
  firstByteMs?: number;
}

/** The signal one request runs under, and why it stopped. */
export interface RequestSignal {
  readonly signal: AbortSignal;
  /** The first stream event arrived: the first-byte deadline no longer applies. */
  firstEventArrived(): void;
  /** The user's Stop or the deadline that stopped the request; null while it runs. */
  stopCause(): StopCause | null;
}

/** The user's Stop and the deadlines as one signal; the first of them to abort names the cause. */
export function requestSignal(userSignal: AbortSignal | undefined, deadlines: Deadlines): RequestSignal {
  const total = AbortSignal.timeout(deadlines.totalMs);
  const firstByte = disarmableTimeout(deadlines.firstByteMs);
  const signal = AbortSignal.any([...(userSignal ? [userSignal] : []), total, firstByte.signal]);
  // The combined signal keeps the reason of the signal that aborted it.
  const abortedBy = (source: AbortSignal) => source.aborted && signal.reason === source.reason;
  return {
    signal,
    firstEventArrived: firstByte.disarm,
    stopCause: () => {
      if (!signal.aborted) return null;
      if (abortedBy(total)) return { by: 'timeout', phase: 'total', afterMs: deadlines.totalMs };
      if (deadlines.firstByteMs !== undefined && abortedBy(firstByte.signal)) {
        return { by: 'timeout', phase: 'first-byte', afterMs: deadlines.firstByteMs };
      }
      return { by: 'user' };
    },
  };
}

/** Aborts with a TimeoutError after `ms` unless disarmed first, which a timeout signal itself cannot be; never without `ms`. */
function disarmableTimeout(ms: number | undefined): { signal: AbortSignal; disarm(): void } {
  const controller = new AbortController();
  if (ms === undefined) return { signal: controller.signal, disarm: () => undefined };
  const deadline = AbortSignal.timeout(ms);
  const onDeadline = () => controller.abort(deadline.reason);
  deadline.addEventListener('abort', onDeadline, { once: true });
  return { signal: controller.signal, disarm: () => deadline.removeEventListener('abort', onDeadline) };
}
