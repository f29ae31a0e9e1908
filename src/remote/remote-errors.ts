import type { PresetId } from './endpoint-presets.ts';

export type ConfigField = 'baseUrl' | 'model' | 'apiKey' | 'text';

/**
 * Every way a send or a model listing can fail, by a stable `kind`. `message` is a complete
 * sentence for the user; `detail` is what the server said (redacted, shortened), when it said anything.
 * `aborted` is the user's own Stop, not a failure to show.
 */
export type RemoteError =
  | { kind: 'config'; message: string; field: ConfigField }
  | { kind: 'cors'; message: string; fix: string }
  | { kind: 'network'; message: string; offline: boolean; /** Set when CORS is one of the possible causes. */ fix: string | null }
  | { kind: 'blocked-by-policy'; message: string }
  | { kind: 'auth'; message: string; status: 401 | 403; detail: string | null }
  | { kind: 'model-not-found'; message: string; model: string; detail: string | null }
  | { kind: 'payload-too-large'; message: string; detail: string | null }
  | {
      kind: 'rate-limited';
      message: string;
      /** From `retry-after(-ms)`; null when the server gave none or the browser may not read it (CORS). */
      retryAfterMs: number | null;
      /** Epoch milliseconds when a retry is welcome; null when unknown. */
      retryAt: number | null;
      /** OpenAI's `insufficient_quota`: waiting will not help. */
      quotaExhausted: boolean;
      detail: string | null;
    }
  | { kind: 'bad-request'; message: string; status: number; detail: string | null }
  | { kind: 'server'; message: string; status: number | null; retryAfterMs: number | null; detail: string | null }
  | { kind: 'timeout'; message: string; phase: 'first-byte' | 'total'; afterMs: number }
  | { kind: 'malformed-stream'; message: string; detail: string | null }
  | { kind: 'stream-interrupted'; message: string }
  | { kind: 'aborted'; message: string }
  | { kind: 'unknown'; message: string };

export type RemoteErrorKind = RemoteError['kind'];

/** Why our side stopped a request: the user's Stop, or one of our deadlines. */
export type StopCause = { by: 'user' } | { by: 'timeout'; phase: 'first-byte' | 'total'; afterMs: number };

/** What a request that we did not stop threw, read into facts (see read-failure.ts); the server's words are raw. */
export type Failure =
  | { type: 'http'; status: number; headers: Headers | null; detail: string; code: string | null }
  /** An error event inside a 200 stream. */
  | { type: 'error-event'; detail: string }
  /** No usable response, or the connection broke while the answer streamed; `cause` is what the platform said. */
  | { type: 'connection'; cause: string }
  /** The SDK's own timeout, a backstop behind our deadlines. */
  | { type: 'sdk-timeout' }
  /** The answer is not an OpenAI chat-completion stream. */
  | { type: 'malformed'; detail: string }
  | { type: 'other'; message: string };

/** What a no-cors probe of the server learned after a request failed without a response. */
export type Reachability = 'reachable' | 'unreachable' | 'not-probed';

/** Where a failure happened, and what the page could find out about it. */
export interface FailureContext {
  operation: 'chat' | 'list-models';
  presetId: PresetId;
  baseUrl: string;
  model: string;
  /** `stream` once response headers arrived: a connection failure then means the stream broke. */
  phase: 'request' | 'stream';
  reachability: Reachability;
  /** A securitypolicyviolation event named the endpoint's origin (the page's CSP blocked it). */
  policyBlocked: boolean;
  /** null outside a browser (Node), where CORS does not exist. */
  pageOrigin: string | null;
  online: boolean;
  image: { bytes: number; width: number; height: number } | null;
  /** Strings that must never appear in a message (the API key). */
  secrets: readonly string[];
  now: number;
}
