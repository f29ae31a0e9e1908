/** WASM threads need SharedArrayBuffer, which needs cross-origin isolation. */
export const CROSS_ORIGIN_ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** Hosts a real model download touches: the Hub redirects file downloads to its CDNs. */
const HUGGING_FACE_HOSTS = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

/** Local model servers, mirrors and VLMs (Ollama, LM Studio, vLLM) on the user's machine. */
const LOOPBACK_HOSTS = ['http://127.0.0.1:*', 'http://localhost:*'];

/** The hosted remote-VLM presets. Other endpoints are added per deployment (VLMGUARD_CONNECT_SRC). */
const REMOTE_VLM_HOSTS = ['https://api.openai.com', 'https://openrouter.ai'];

/** Extra connect-src sources from the environment: space-separated origins, e.g. "https://vlm.example.org". */
export function connectSourcesFromEnv(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((source) => /^https?:\/\/[^\s;,']+$/.test(source));
}

/**
 * The production page's Content-Security-Policy. 'wasm-unsafe-eval' lets onnxruntime compile its
 * WebAssembly; blob: covers the runtime's cached loader script and its thread workers.
 */
export function contentSecurityPolicy(extraConnectSources: readonly string[] = []): string {
  const connect = ["'self'", 'blob:', 'data:', ...HUGGING_FACE_HOSTS, ...LOOPBACK_HOSTS, ...REMOTE_VLM_HOSTS, ...extraConnectSources];
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' blob:",
    "worker-src 'self' blob:",
    `connect-src ${connect.join(' ')}`,
    "img-src 'self' blob: data:",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers a static host must send, in the `_headers` format that Netlify and Cloudflare Pages read. */
export function staticHostHeadersFile(csp: string): string {
  const headers = { ...CROSS_ORIGIN_ISOLATION_HEADERS, 'Content-Security-Policy': csp };
  return ['/*', ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`), ''].join('\n');
}
