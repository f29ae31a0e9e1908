/** What the client needs to know about where it runs; injectable so Node tests can play a browser. */
export interface RemoteEnvironment {
  /** This page's origin; null outside a browser (no CORS there). */
  pageOrigin: string | null;
  isOnline(): boolean;
  /**
   * After a request failed without a response: does the server answer a no-cors GET (which CORS
   * cannot block)? "reachable" proves the failure was CORS. A page with COEP require-corp also
   * blocks no-cors answers that lack Cross-Origin-Resource-Policy, so "unreachable" proves nothing.
   */
  probeReachability(baseUrl: string, signal: AbortSignal): Promise<'reachable' | 'unreachable'>;
  /** Notes Content-Security-Policy violations for `origin` while a request runs. */
  watchPolicyViolations(origin: string): PolicyWatch;
  now(): number;
}

export interface PolicyWatch {
  /**
   * Whether the page's CSP blocked a request to the origin. Browsers queue the violation event
   * and may fire it after the fetch has already rejected, so this waits briefly for it.
   */
  blocked(): Promise<boolean>;
  stop(): void;
}

/** Measured in Chromium: the violation event lands a task or two after the rejection. */
const VIOLATION_GRACE_MS = 50;

/** A probe is a courtesy for the error message; it must not keep the user waiting. */
const PROBE_TIMEOUT_MS = 3000;

export function defaultRemoteEnvironment(): RemoteEnvironment {
  const origin = globalThis.location?.origin;
  return {
    pageOrigin: origin && origin !== 'null' ? origin : null,
    isOnline: () => globalThis.navigator?.onLine !== false,
    probeReachability,
    watchPolicyViolations,
    now: () => Date.now(),
  };
}

async function probeReachability(baseUrl: string, signal: AbortSignal): Promise<'reachable' | 'unreachable'> {
  try {
    await fetch(`${baseUrl}/models`, {
      mode: 'no-cors',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]),
    });
    return 'reachable';
  } catch {
    return 'unreachable';
  }
}

function watchPolicyViolations(origin: string): PolicyWatch {
  const target = globalThis.document;
  if (!target) return { blocked: async () => false, stop: () => undefined };
  let blocked = false;
  const onViolation = (event: SecurityPolicyViolationEvent) => {
    if (event.blockedURI.startsWith(origin)) blocked = true;
  };
  target.addEventListener('securitypolicyviolation', onViolation);
  return {
    blocked: async () => {
      if (!blocked) await new Promise((resolve) => setTimeout(resolve, VIOLATION_GRACE_MS));
      return blocked;
    },
    stop: () => target.removeEventListener('securitypolicyviolation', onViolation),
  };
}
