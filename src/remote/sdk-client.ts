import { OpenAI } from 'openai';
import type { RemoteEndpoint } from './chat-request.ts';

/** The SDK's platform headers (X-Stainless-*) are dropped: they say nothing the server needs, and every extra header must pass CORS. */
const UNSENT_SDK_HEADERS = {
  'X-Stainless-Lang': null,
  'X-Stainless-Package-Version': null,
  'X-Stainless-OS': null,
  'X-Stainless-Arch': null,
  'X-Stainless-Runtime': null,
  'X-Stainless-Runtime-Version': null,
  'X-Stainless-Retry-Count': null,
  'X-Stainless-Timeout': null,
  'User-Agent': null,
} as const;

const SILENT_LOGGER = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** An SDK client for one request to `endpoint`, whose own deadline, `timeoutMs`, ends it first. */
export function createSdkClient(endpoint: RemoteEndpoint, timeoutMs: number): OpenAI {
  return new OpenAI({
    // The SDK refuses to start without a key; with none, the header that would carry it is removed.
    apiKey: endpoint.apiKey || 'no-key',
    baseURL: endpoint.baseUrl,
    // The user brings their own key, typed into this page; it goes to no server but theirs.
    dangerouslyAllowBrowser: true,
    // 429 handling is ours (retry-after shown to the user); a streamed POST is not ours to repeat.
    maxRetries: 0,
    // Our deadlines stop the request first, with a precise reason; this is only a backstop.
    timeout: timeoutMs + 5000,
    // Explicit nulls: in Node the SDK would otherwise read OPENAI_* environment variables.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    logLevel: 'off',
    logger: SILENT_LOGGER,
    defaultHeaders: endpoint.apiKey ? UNSENT_SDK_HEADERS : { ...UNSENT_SDK_HEADERS, Authorization: null },
    fetchOptions: { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' },
  });
}
