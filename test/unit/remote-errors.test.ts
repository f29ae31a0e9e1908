import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { MalformedStreamError, UnansweredStreamError } from '../../src/remote/answer-stream.ts';
import { describeFailure, describeStop, formatWait } from '../../src/remote/failure-messages.ts';
import { readFailure } from '../../src/remote/read-failure.ts';
import { redactSecrets } from '../../src/remote/redaction.ts';
import type { FailureContext } from '../../src/remote/remote-errors.ts';
import { parseRetryAfter } from '../../src/remote/retry-after.ts';

const KEY = 'sk-proj-SECRET0123456789abcdef';
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

function context(overrides: Partial<FailureContext> = {}): FailureContext {
  return {
    operation: 'chat',
    presetId: 'ollama',
    baseUrl: 'http://localhost:11434/v1',
    model: 'gemma3:4b',
    phase: 'request',
    reachability: 'not-probed',
    policyBlocked: false,
    pageOrigin: 'https://vlmguard.example',
    online: true,
    image: { bytes: 180_000, width: 1024, height: 768 },
    secrets: [KEY],
    now: NOW,
    ...overrides,
  };
}

/** What a request that failed this way shows the user. */
function classifyRemoteFailure(error: unknown, failureContext: FailureContext) {
  return describeFailure(readFailure(error), failureContext);
}

/** What the openai SDK throws for an HTTP error: its class for the status, with the JSON body's `error`, or the body's text. */
function httpError(status: number, error: object | undefined, headers: Record<string, string> = {}, bodyText?: string) {
  return APIError.generate(status, error === undefined ? undefined : { error }, bodyText, new Headers(headers));
}

/** What the SDK throws when fetch rejects: "Connection error." wrapping the browser's TypeError. */
function connectionError(cause: Error) {
  return new APIConnectionError({ cause });
}

// The bare TypeErrors each browser gives for a CORS refusal and for an unreachable server alike.
const browserFetchFailures = [
  ['Chrome', new TypeError('Failed to fetch')],
  ['Firefox', new TypeError('NetworkError when attempting to fetch resource.')],
  ['Safari', new TypeError('Load failed')],
] as const;

describe('classifyRemoteFailure: failures without a response', () => {
  for (const [browser, failure] of browserFetchFailures) {
    it(`${browser}: a server that answered the no-cors probe is a CORS refusal, with the preset's fix`, () => {
      for (const error of [failure, connectionError(failure)]) {
        const result = classifyRemoteFailure(error, context({ reachability: 'reachable' }));
        expect(result.kind).toBe('cors');
        expect(result.message).toContain('localhost:11434');
        expect(result.message).toContain('CORS');
        expect(result.message).toContain('OLLAMA_ORIGINS=https://vlmguard.example');
      }
    });

    it(`${browser}: without proof of reachability, the message names both causes and the CORS fix`, () => {
      const result = classifyRemoteFailure(connectionError(failure), context({ reachability: 'unreachable' }));
      expect(result).toMatchObject({ kind: 'network', offline: false });
      expect(result.message).toMatch(/not reachable/);
      expect(result.message).toMatch(/refused this page \(CORS\)/);
      expect(result.message).toContain('OLLAMA_ORIGINS');
      // A public page calling localhost may need the browser's local-network permission.
      expect(result.message).toMatch(/local network/);
    });
  }

  it.each([
    ['lm-studio', 'http://localhost:1234/v1', 'Enable CORS'],
    ['vllm', 'http://localhost:8000/v1', '--allowed-origins'],
    ['custom', 'https://vlm.internal.example/v1', 'Access-Control-Allow-Origin: https://vlmguard.example'],
    ['openai', 'https://api.openai.com/v1', 'ad or privacy blocker'],
    ['openrouter', 'https://openrouter.ai/api/v1', 'openrouter.ai'],
  ] as const)('%s: the CORS message carries that preset\'s fix', (presetId, baseUrl, fix) => {
    const result = classifyRemoteFailure(new TypeError('Failed to fetch'), context({ presetId, baseUrl, reachability: 'reachable' }));
    expect(result.kind).toBe('cors');
    expect(result.message).toContain(fix);
    expect(result.kind === 'cors' && result.fix).toContain(fix);
  });

  it('a same-origin endpoint cannot be CORS: a plain network error', () => {
    const result = classifyRemoteFailure(new TypeError('Failed to fetch'), context({ baseUrl: 'https://vlmguard.example/v1', presetId: 'custom' }));
    expect(result).toMatchObject({ kind: 'network', fix: null });
    expect(result.message).not.toMatch(/CORS/);
  });

  it('in Node (no page) a refused connection is a network error that says why', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const result = classifyRemoteFailure(connectionError(new TypeError('fetch failed', { cause })), context({ pageOrigin: null }));
    expect(result.kind).toBe('network');
    expect(result.message).toMatch(/server is running/);
    expect(result.message).toContain('ECONNREFUSED');
  });

  it('an offline device is named as such, unless the endpoint is on this device', () => {
    const remote = classifyRemoteFailure(new TypeError('Failed to fetch'), context({ presetId: 'openai', baseUrl: 'https://api.openai.com/v1', online: false }));
    expect(remote).toMatchObject({ kind: 'network', offline: true });
    expect(remote.message).toMatch(/offline/);
    const local = classifyRemoteFailure(new TypeError('Failed to fetch'), context({ online: false }));
    expect(local).toMatchObject({ kind: 'network', offline: false });
  });

  it("the page's Content-Security-Policy blocking the origin is its own kind", () => {
    const result = classifyRemoteFailure(new TypeError('Failed to fetch'), context({ policyBlocked: true }));
    expect(result.kind).toBe('blocked-by-policy');
    expect(result.message).toContain('http://localhost:11434');
    expect(result.message).toContain('connect-src');
  });

  it('a connection lost after the response started is an interrupted stream', () => {
    for (const error of [new TypeError('network error'), new TypeError('terminated'), new TypeError('Failed to fetch')]) {
      expect(classifyRemoteFailure(error, context({ phase: 'stream' })).kind).toBe('stream-interrupted');
    }
  });
});

describe('classifyRemoteFailure: HTTP statuses', () => {
  it('401 with a key: the key was rejected; the echoed key is redacted', () => {
    const result = classifyRemoteFailure(
      httpError(401, { message: `Incorrect API key provided: ${KEY}.`, code: 'invalid_api_key' }),
      context({ presetId: 'openai', baseUrl: 'https://api.openai.com/v1' }),
    );
    expect(result).toMatchObject({ kind: 'auth', status: 401 });
    expect(result.message).toMatch(/rejected the API key \(401\)/);
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(JSON.stringify(result)).not.toContain('SECRET');
  });

  it('401 without a key: a key is needed', () => {
    const result = classifyRemoteFailure(httpError(401, { message: 'Missing bearer token' }), context({ secrets: [] }));
    expect(result.message).toMatch(/needs an API key \(401\)/);
  });

  it('403 names the model', () => {
    const result = classifyRemoteFailure(httpError(403, { message: 'no access' }), context());
    expect(result).toMatchObject({ kind: 'auth', status: 403 });
    expect(result.message).toContain('model "gemma3:4b"');
  });

  it('404 is a missing model, named, with the list-models hint', () => {
    const result = classifyRemoteFailure(httpError(404, { message: 'model "gemma3:4b" not found, try pulling it first' }), context());
    expect(result).toMatchObject({ kind: 'model-not-found', model: 'gemma3:4b' });
    expect(result.message).toContain('Model "gemma3:4b" was not found at localhost:11434 (404)');
    expect(result.message).toContain('List models');
    expect(result.message).toContain('try pulling it first');
  });

  it('404 while listing models says the endpoint has no model list', () => {
    const result = classifyRemoteFailure(httpError(404, undefined), context({ operation: 'list-models', model: '' }));
    expect(result.message).toContain('has no model list at http://localhost:11434/v1/models');
  });

  it('413 gives the image size and suggests a smaller side or text only; proxy HTML is stripped', () => {
    const html = '<html><head><title>413 Request Entity Too Large</title></head><body><h1>413 Request Entity Too Large</h1></body></html>';
    const result = classifyRemoteFailure(httpError(413, undefined, {}, html), context());
    expect(result.kind).toBe('payload-too-large');
    expect(result.message).toContain('176 KB at 1024×768');
    expect(result.message).toMatch(/Max image side/);
    expect(result.message).toMatch(/text only/);
    expect(result.kind === 'payload-too-large' && result.detail).not.toContain('<');
  });

  it('429 with retry-after in seconds says when to retry', () => {
    const result = classifyRemoteFailure(httpError(429, { message: 'Rate limit' }, { 'retry-after': '20' }), context());
    expect(result).toMatchObject({ kind: 'rate-limited', retryAfterMs: 20_000, retryAt: NOW + 20_000, quotaExhausted: false });
    expect(result.message).toContain('Send again in 20 seconds');
  });

  it('429 with retry-after as an HTTP date', () => {
    const date = new Date(NOW + 3 * 60_000).toUTCString();
    const result = classifyRemoteFailure(httpError(429, {}, { 'Retry-After': date }), context());
    expect(result).toMatchObject({ kind: 'rate-limited', retryAfterMs: 180_000 });
    expect(result.message).toContain('3 minutes');
  });

  it('429 without a readable retry-after (or hidden by CORS) asks to wait', () => {
    const result = classifyRemoteFailure(httpError(429, {}), context());
    expect(result).toMatchObject({ kind: 'rate-limited', retryAfterMs: null, retryAt: null });
    expect(result.message).toMatch(/Wait a little/);
  });

  it("429 insufficient_quota: waiting will not help", () => {
    const result = classifyRemoteFailure(httpError(429, { message: 'You exceeded your current quota', code: 'insufficient_quota' }, { 'retry-after': '1' }), context());
    expect(result).toMatchObject({ kind: 'rate-limited', quotaExhausted: true, retryAfterMs: null });
    expect(result.message).toMatch(/quota/);
  });

  it.each([
    [500, /internal error \(500\)/],
    [502, /gateway in front of it, failed \(502\)/],
    [503, /overloaded or still loading the model \(503\)/],
    [504, /gateway in front of it, failed \(504\)/],
  ])('%i is a server error', (status, wording) => {
    const result = classifyRemoteFailure(httpError(status, { message: 'boom' }), context());
    expect(result).toMatchObject({ kind: 'server', status });
    expect(result.message).toMatch(wording);
  });

  it('400 about images suggests a vision model or text only', () => {
    const result = classifyRemoteFailure(httpError(400, { message: 'This model does not support image input' }), context());
    expect(result).toMatchObject({ kind: 'bad-request', status: 400 });
    expect(result.message).toMatch(/may not take images/);
  });

  it('an error event inside the stream is a server error with its words', () => {
    const event = new APIError(undefined, { message: 'Provider returned error', code: 502 }, undefined, new Headers());
    const result = classifyRemoteFailure(event, context({ phase: 'stream' }));
    expect(result).toMatchObject({ kind: 'server', status: null });
    expect(result.message).toContain('Provider returned error');
  });
});

describe('our own stops, timeouts and broken streams', () => {
  it("the user's Stop is a distinct outcome, not a failure", () => {
    expect(describeStop({ by: 'user' }, 'localhost:11434')).toEqual({ kind: 'aborted', message: 'Stopped.' });
  });

  it('timeouts say which phase and how long', () => {
    const first = describeStop({ by: 'timeout', phase: 'first-byte', afterMs: 120_000 }, 'localhost:11434');
    expect(first).toMatchObject({ kind: 'timeout', phase: 'first-byte', afterMs: 120_000 });
    expect(first.message).toMatch(/did not start answering within 2 minutes/);
    const total = describeStop({ by: 'timeout', phase: 'total', afterMs: 30_000 }, 'localhost:11434');
    expect(total.message).toMatch(/did not finish within 30 seconds/);
  });

  it("the SDK's own timeout (the backstop) is a timeout of the whole answer", () => {
    const result = classifyRemoteFailure(new APIConnectionTimeoutError(), context({ phase: 'stream' }));
    expect(result).toMatchObject({ kind: 'timeout', phase: 'total' });
    expect(result.message).toMatch(/did not finish and was stopped/);
  });

  it('a stream that closed before any answer or finish_reason is an interrupted stream', () => {
    const result = classifyRemoteFailure(new UnansweredStreamError('the stream ended without an answer or a finish_reason'), context({ phase: 'stream' }));
    expect(result.kind).toBe('stream-interrupted');
  });

  it('bad event JSON and events without choices are malformed streams', () => {
    const badJson = classifyRemoteFailure(new SyntaxError('Error reading response: malformed server-sent event JSON.'), context({ phase: 'stream' }));
    expect(badJson.kind).toBe('malformed-stream');
    const noChoices = classifyRemoteFailure(new MalformedStreamError('a stream event without "choices"'), context({ phase: 'stream' }));
    expect(noChoices.kind).toBe('malformed-stream');
    expect(noChoices.message).toContain('without "choices"');
  });

  it('anything else is unknown, still redacted', () => {
    const result = classifyRemoteFailure(new Error(`weird failure with Bearer ${KEY}`), context());
    expect(result.kind).toBe('unknown');
    expect(result.message).not.toContain(KEY);
  });
});

describe('parseRetryAfter', () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  it.each([
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after': '1.5' }, 1500],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': new Date(NOW + 45_000).toUTCString() }, 45_000],
    [{ 'retry-after': new Date(NOW - 45_000).toUTCString() }, 0],
    [{ 'retry-after': 'soon' }, null],
    [{}, null],
  ])('%o → %s', (values, expected) => {
    expect(parseRetryAfter(headers(values), NOW)).toBe(expected);
  });
});

describe('redactSecrets and formatWait', () => {
  it('removes the key, bearer tokens and sk- keys', () => {
    expect(redactSecrets(`a ${KEY} b`, [KEY])).toBe('a [redacted] b');
    expect(redactSecrets('Authorization: Bearer abc.def', [])).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('key sk-live-1234567890', [])).toBe('key sk-[redacted]');
    expect(redactSecrets('a short key', ['a'])).toBe('a short key');
  });

  it('words waits for people', () => {
    expect([formatWait(400), formatWait(20_000), formatWait(180_000), formatWait(3 * 3_600_000)]).toEqual([
      '1 second',
      '20 seconds',
      '3 minutes',
      '3 hours',
    ]);
  });
});
