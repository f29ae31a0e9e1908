import { describe, expect, it } from 'vitest';
import { buildChatBody, type EncodedImage, type RemoteChatRequest } from '../../src/remote/chat-request.ts';
import { describeCorsFix, ENDPOINT_PRESETS, findPreset } from '../../src/remote/endpoint-presets.ts';
import { isLoopbackHost, isMixedContent, normalizeBaseUrl } from '../../src/remote/endpoint-url.ts';
import { scaleToFit } from '../../src/core/image-fit.ts';
import { describePayload, summarizePayload } from '../../src/remote/payload-preview.ts';
import { validateRemoteRequest } from '../../src/remote/remote-client.ts';

const KEY = 'sk-SECRET-0123456789abcdef';
const jpegBytes = new Uint8Array(48_213).map((_, index) => (index * 7) % 256);
const image: EncodedImage = {
  dataUrl: `data:image/jpeg;base64,${Buffer.from(jpegBytes).toString('base64')}`,
  mimeType: 'image/jpeg',
  width: 1024,
  height: 683,
  bytes: jpegBytes.length,
  original: { width: 4032, height: 2688 },
};
const request: RemoteChatRequest = {
  endpoint: { presetId: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: KEY },
  model: 'gpt-4o-mini',
  text: 'Describe the objects on the table.',
  image,
  maxTokens: 512,
  temperature: null,
};

describe('buildChatBody', () => {
  it('sends the text, then the image as a JPEG data URL, to the model, streaming', () => {
    expect(buildChatBody(request, false)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe the objects on the table.' },
            { type: 'image_url', image_url: { url: image.dataUrl } },
          ],
        },
      ],
      stream: true,
      max_tokens: 512,
    });
    expect(image.dataUrl.startsWith('data:image/jpeg;base64,')).toBe(true);
  });

  it('text only omits the image part; options appear only when set', () => {
    const body = buildChatBody({ ...request, image: null, maxTokens: null, temperature: 0.3 }, true);
    expect(body.messages[0].content).toEqual([{ type: 'text', text: 'Describe the objects on the table.' }]);
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).toMatchObject({ temperature: 0.3, stream_options: { include_usage: true } });
  });
});

describe('describePayload', () => {
  it('says exactly where, which model, what text and what image', () => {
    const preview = describePayload(request);
    expect(preview).toMatchObject({
      url: 'https://api.openai.com/v1/chat/completions',
      host: 'api.openai.com',
      origin: 'https://api.openai.com',
      model: 'gpt-4o-mini',
      text: 'Describe the objects on the table.',
      image: { format: 'JPEG', mimeType: 'image/jpeg', width: 1024, height: 683, bytes: 48_213, size: '47 KB' },
      sendsApiKey: true,
    });
    expect(preview.headers).toContain('Authorization: Bearer •••• (your key)');
    expect(summarizePayload(preview)).toEqual([
      'Sends to: api.openai.com (https://api.openai.com/v1/chat/completions)',
      'Model: gpt-4o-mini',
      'Text: 34 characters',
      'Image: JPEG 1024×683, 47 KB (re-encoded: no EXIF or location data)',
      'API key: sent in the Authorization header',
    ]);
  });

  it('shows the body as sent, with the base64 replaced by a placeholder, and never the key', () => {
    const preview = describePayload(request);
    const body = JSON.parse(preview.body) as ReturnType<typeof buildChatBody>;
    expect(body.messages[0].content[1]).toEqual({ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,<47 KB of JPEG>' } });
    expect({ ...body, messages: [] }).toEqual({ ...buildChatBody(request, true), messages: [] });
    expect(JSON.stringify(preview)).not.toContain(KEY);
    expect(preview.body.length).toBeLessThan(1000);
  });

  it('text only, keyless local endpoint', () => {
    const preview = describePayload({ ...request, endpoint: { presetId: 'ollama', baseUrl: 'http://localhost:11434/v1', apiKey: '' }, image: null });
    expect(preview).toMatchObject({ host: 'localhost:11434', image: null, sendsApiKey: false });
    expect(preview.headers).toEqual(['Accept: application/json', 'Content-Type: application/json']);
    expect(summarizePayload(preview)).toContain('Image: none (text only)');
  });
});

describe('image sizing', () => {
  it.each([
    [{ width: 4032, height: 3024 }, 1024, { width: 1024, height: 768 }],
    [{ width: 3024, height: 4032 }, 1024, { width: 768, height: 1024 }],
    [{ width: 800, height: 600 }, 1024, { width: 800, height: 600 }],
    [{ width: 10_000, height: 10 }, 512, { width: 512, height: 1 }],
    [{ width: 1025, height: 1025 }, 1024, { width: 1024, height: 1024 }],
  ])('fits %o within %i → %o, never upscaling', (size, maxSide, expected) => {
    expect(scaleToFit(size, maxSide)).toEqual(expected);
  });
});

describe('endpoints', () => {
  it('presets carry the documented base URLs, a key rule, a model suggestion and a CORS fix', () => {
    const byId = Object.fromEntries(ENDPOINT_PRESETS.map((preset) => [preset.id, preset]));
    expect(byId.openai?.baseUrl).toBe('https://api.openai.com/v1');
    expect(byId.ollama?.baseUrl).toBe('http://localhost:11434/v1');
    expect(byId['lm-studio']?.baseUrl).toBe('http://localhost:1234/v1');
    expect(byId.vllm?.baseUrl).toBe('http://localhost:8000/v1');
    expect(byId.openrouter?.baseUrl).toBe('https://openrouter.ai/api/v1');
    expect(byId.custom?.baseUrl).toBe('');
    expect(findPreset('openai').key).toBe('required');
    expect(findPreset('ollama').key).toBe('none');
    for (const preset of ENDPOINT_PRESETS) {
      expect(preset.corsFix.length).toBeGreaterThan(40);
      if (preset.id !== 'custom') expect(preset.defaultModel).not.toBe('');
    }
    expect(describeCorsFix('ollama', 'https://app.example')).toContain('OLLAMA_ORIGINS=https://app.example ollama serve');
    expect(describeCorsFix('lm-studio', null)).toContain('Enable CORS');
    expect(describeCorsFix('vllm', 'https://app.example')).toContain(`--allowed-origins '["https://app.example"]'`);
  });

  it('normalizes base URLs and refuses what cannot be one', () => {
    expect(normalizeBaseUrl(' http://localhost:11434/v1/ ')).toEqual({ ok: true, url: 'http://localhost:11434/v1' });
    expect(normalizeBaseUrl('https://openrouter.ai/api/v1')).toEqual({ ok: true, url: 'https://openrouter.ai/api/v1' });
    expect(normalizeBaseUrl('localhost:11434').ok).toBe(false);
    expect(normalizeBaseUrl('ftp://host/v1').ok).toBe(false);
    expect(normalizeBaseUrl('https://user:sk-secret@host/v1')).toEqual({ ok: false, message: 'Put the API key in the key field, not in the URL' });
    expect(normalizeBaseUrl('https://host/v1?key=1').ok).toBe(false);
  });

  it('knows loopback hosts and mixed content', () => {
    expect(['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['192.168.1.5', 'localhost.example.com', 'example.com'].some(isLoopbackHost)).toBe(false);
    expect(isMixedContent('http://192.168.1.5:11434/v1', 'https://app.example')).toBe(true);
    expect(isMixedContent('http://localhost:11434/v1', 'https://app.example')).toBe(false);
    expect(isMixedContent('http://192.168.1.5:11434/v1', 'http://127.0.0.1:5173')).toBe(false);
  });

  it('validates a request before sending anything', () => {
    expect(validateRemoteRequest(request, 'https://app.example')).toBeNull();
    expect(validateRemoteRequest({ ...request, model: ' ' }, null)).toMatchObject({ kind: 'config', field: 'model' });
    expect(validateRemoteRequest({ ...request, text: '' }, null)).toMatchObject({ kind: 'config', field: 'text' });
    expect(validateRemoteRequest({ ...request, endpoint: { ...request.endpoint, apiKey: '' } }, null)).toMatchObject({ kind: 'config', field: 'apiKey' });
    expect(validateRemoteRequest({ ...request, endpoint: { presetId: 'custom', baseUrl: 'http://10.0.0.2:8000/v1', apiKey: '' } }, 'https://app.example')).toMatchObject({
      kind: 'config',
      field: 'baseUrl',
    });
    expect(validateRemoteRequest({ ...request, endpoint: { presetId: 'custom', baseUrl: 'nope', apiKey: '' } }, null)).toMatchObject({ kind: 'config', field: 'baseUrl' });
  });
});
