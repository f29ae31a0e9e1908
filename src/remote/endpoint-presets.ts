/** The OpenAI-compatible servers the app knows how to talk to; "custom" is any other base URL. */
export type PresetId = 'openai' | 'ollama' | 'lm-studio' | 'vllm' | 'openrouter' | 'custom';

/** `none`: the server ignores keys (the UI can hide the field); a key is sent only when one is entered. */
export type KeyRequirement = 'required' | 'optional' | 'none';

export interface EndpointPreset {
  id: PresetId;
  label: string;
  /** The base URL the SDK appends `/chat/completions` and `/models` to; empty for "custom". */
  baseUrl: string;
  key: KeyRequirement;
  /** Where a key comes from, for the key field's hint. */
  keyHint: string;
  /** A vision-capable model to prefill; the user can type any name or list the server's models. */
  defaultModel: string;
  /** Whether `GET /models` answers, so the UI can offer "List models". */
  listsModels: boolean;
  /** Whether the server accepts `stream_options.include_usage` (token counts at the end of a stream). */
  streamUsage: boolean;
  /** What to change so that a browser page may call the server; `{origin}` stands for this page's origin. */
  corsFix: string;
}

export const ENDPOINT_PRESETS: readonly EndpointPreset[] = [
  {
    id: 'ollama',
    label: 'Ollama (this computer)',
    baseUrl: 'http://localhost:11434/v1',
    key: 'none',
    keyHint: 'Ollama needs no key.',
    defaultModel: 'gemma3:4b',
    listsModels: true,
    streamUsage: true,
    corsFix:
      'Ollama answers only the web pages it trusts (pages on localhost and 127.0.0.1 by default). ' +
      'Quit Ollama and start it with this page allowed: ' +
      '`OLLAMA_ORIGINS={origin} ollama serve` (or `OLLAMA_ORIGINS=*` for any page). ' +
      'macOS app: `launchctl setenv OLLAMA_ORIGINS "{origin}"`, then restart Ollama; ' +
      'Windows: set OLLAMA_ORIGINS as a user environment variable, then restart Ollama.',
  },
  {
    id: 'lm-studio',
    label: 'LM Studio (this computer)',
    baseUrl: 'http://localhost:1234/v1',
    key: 'optional',
    keyHint: 'Only if you turned on "Require API key" in LM Studio.',
    defaultModel: 'google/gemma-3-4b',
    listsModels: true,
    streamUsage: true,
    corsFix:
      'In LM Studio open the Developer tab → Settings, turn on "Enable CORS" and restart the server ' +
      '(from a terminal: `lms server start --cors`).',
  },
  {
    id: 'vllm',
    label: 'vLLM',
    baseUrl: 'http://localhost:8000/v1',
    key: 'optional',
    keyHint: 'Only if the server was started with --api-key.',
    defaultModel: 'Qwen/Qwen2.5-VL-3B-Instruct',
    listsModels: true,
    streamUsage: true,
    corsFix:
      "vLLM allows every origin unless it was started with --allowed-origins; start it with this page allowed: " +
      '`vllm serve <model> --allowed-origins \'["{origin}"]\'`. A proxy in front of vLLM must pass the CORS headers on.',
  },
  {
    id: 'openai',
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    key: 'required',
    keyHint: 'An API key from platform.openai.com → API keys.',
    defaultModel: 'gpt-4o-mini',
    listsModels: true,
    streamUsage: true,
    corsFix:
      'OpenAI accepts calls from web pages, so there is nothing to change on the server: check the connection, ' +
      'and whether a browser extension (ad or privacy blocker), a proxy or a firewall blocks api.openai.com.',
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    key: 'required',
    keyHint: 'An API key from openrouter.ai → Keys.',
    defaultModel: 'openai/gpt-4o-mini',
    listsModels: true,
    streamUsage: true,
    corsFix:
      'OpenRouter accepts calls from web pages, so there is nothing to change on the server: check the connection, ' +
      'and whether a browser extension (ad or privacy blocker), a proxy or a firewall blocks openrouter.ai.',
  },
  {
    id: 'custom',
    label: 'Custom (OpenAI-compatible)',
    baseUrl: '',
    key: 'optional',
    keyHint: 'Whatever the server expects as "Authorization: Bearer <key>"; leave empty if none.',
    defaultModel: '',
    listsModels: true,
    // Unknown servers may reject fields they do not know; usage is a nicety, not worth a failed send.
    streamUsage: false,
    corsFix:
      'The server must allow requests from {origin}: answer the OPTIONS preflight with ' +
      '`Access-Control-Allow-Origin: {origin}` (or `*`), `Access-Control-Allow-Methods: GET, POST` and ' +
      '`Access-Control-Allow-Headers: authorization, content-type`, and send `Access-Control-Allow-Origin` ' +
      'on every response (plus `Access-Control-Expose-Headers: retry-after` so rate limits can be honoured).',
  },
];

export function findPreset(id: PresetId): EndpointPreset {
  const preset = ENDPOINT_PRESETS.find((candidate) => candidate.id === id);
  if (!preset) throw new Error(`Unknown endpoint preset "${id}"`);
  return preset;
}

export function isPresetId(value: unknown): value is PresetId {
  return ENDPOINT_PRESETS.some((preset) => preset.id === value);
}

/** The preset's CORS fix with this page's origin filled in ("this page's origin" when unknown). */
export function describeCorsFix(presetId: PresetId, pageOrigin: string | null): string {
  return findPreset(presetId).corsFix.replaceAll('{origin}', pageOrigin ?? "this page's origin");
}
