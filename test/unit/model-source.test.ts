import { describe, expect, it } from 'vitest';
import { normalizeHubUrl } from '../../src/core/model-source.ts';

describe('normalizeHubUrl', () => {
  it.each([
    ['https://huggingface.co', 'https://huggingface.co/'],
    ['https://hf-mirror.example/', 'https://hf-mirror.example/'],
    ['  http://127.0.0.1:8080//  ', 'http://127.0.0.1:8080/'],
    ['https://example.org/hub', 'https://example.org/hub/'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeHubUrl(input)).toEqual({ ok: true, url: expected });
  });

  it.each(['huggingface.co', 'ftp://example.org/', 'javascript:alert(1)', 'https://example.org/?token=1', ''])(
    'rejects %j with a message',
    (input) => {
      const result = normalizeHubUrl(input);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.message).not.toBe('');
    },
  );
});
