import { describe, expect, it } from 'vitest';
import { connectSourcesFromEnv, contentSecurityPolicy, staticHostHeadersFile } from '../../scripts/lib/security-headers.ts';

function directive(csp: string, name: string): string[] {
  return csp.split('; ').find((part) => part.startsWith(`${name} `))?.split(' ').slice(1) ?? [];
}

describe('contentSecurityPolicy', () => {
  const csp = contentSecurityPolicy(['https://vlm.example.org']);

  it('lets onnxruntime compile WebAssembly without allowing eval', () => {
    expect(directive(csp, 'script-src')).toContain("'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toContain("'unsafe-inline'");
  });

  it('connects only to this origin, the model hub, local servers, the hosted presets and configured hosts', () => {
    expect(directive(csp, 'connect-src')).toEqual([
      "'self'",
      'blob:',
      'data:',
      'https://huggingface.co',
      'https://*.huggingface.co',
      'https://*.hf.co',
      'http://127.0.0.1:*',
      'http://localhost:*',
      'https://api.openai.com',
      'https://openrouter.ai',
      'https://vlm.example.org',
    ]);
    expect(directive(csp, 'default-src')).toEqual(["'self'"]);
    expect(directive(csp, 'object-src')).toEqual(["'none'"]);
  });

  it('takes only well-formed origins from the environment', () => {
    expect(connectSourcesFromEnv(" https://a.example  http://b.example:8080 'unsafe-eval' *;evil ")).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(connectSourcesFromEnv(undefined)).toEqual([]);
  });

  it('writes a _headers file with isolation headers and the CSP for static hosts', () => {
    const file = staticHostHeadersFile(csp);
    expect(file).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(file).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(file).toContain(`Content-Security-Policy: ${csp}`);
  });
});
