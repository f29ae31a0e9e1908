import { formatBytes } from '../core/units.ts';
import { buildChatBody, type RemoteChatRequest } from './chat-request.ts';
import { findPreset } from './endpoint-presets.ts';
import { hostOf, originOf } from './endpoint-url.ts';

/** Exactly what a send transmits, for the user to see before the first send to an endpoint. */
export interface PayloadPreview {
  /** POST target. */
  url: string;
  /** host[:port] the data goes to. */
  host: string;
  origin: string;
  model: string;
  text: string;
  image: { format: 'JPEG'; mimeType: 'image/jpeg'; width: number; height: number; bytes: number; size: string } | null;
  /** Whether an `Authorization: Bearer …` header carries the user's key (never its value). */
  sendsApiKey: boolean;
  /** Header names this app sets; the browser adds its usual ones (Origin, User-Agent, Accept-Language). */
  headers: string[];
  /** The request body as sent, pretty-printed, with the image's base64 replaced by a placeholder. */
  body: string;
}

/** The placeholder for the image's base64 in `PayloadPreview.body`. */
function imagePlaceholder(bytes: number): string {
  return `data:image/jpeg;base64,<${formatBytes(bytes)} of JPEG>`;
}

export function describePayload(request: RemoteChatRequest): PayloadPreview {
  const { endpoint, image } = request;
  const body = buildChatBody(request, findPreset(endpoint.presetId).streamUsage);
  const shownBody = {
    ...body,
    messages: body.messages.map((message) => ({
      ...message,
      content: message.content.map((part) =>
        part.type === 'image_url' && image ? { ...part, image_url: { url: imagePlaceholder(image.bytes) } } : part,
      ),
    })),
  };
  const sendsApiKey = endpoint.apiKey.length > 0;
  return {
    url: `${endpoint.baseUrl}/chat/completions`,
    host: hostOf(endpoint.baseUrl),
    origin: originOf(endpoint.baseUrl) ?? endpoint.baseUrl,
    model: body.model,
    text: request.text,
    image: image
      ? { format: 'JPEG', mimeType: image.mimeType, width: image.width, height: image.height, bytes: image.bytes, size: formatBytes(image.bytes) }
      : null,
    sendsApiKey,
    headers: ['Accept: application/json', 'Content-Type: application/json', ...(sendsApiKey ? ['Authorization: Bearer •••• (your key)'] : [])],
    body: JSON.stringify(shownBody, null, 2),
  };
}

/** One line per fact, for a compact confirmation ("Sends to … / Model … / Image …"). */
export function summarizePayload(preview: PayloadPreview): string[] {
  return [
    `Sends to: ${preview.host} (${preview.url})`,
    `Model: ${preview.model}`,
    `Text: ${preview.text.length} characters`,
    preview.image
      ? `Image: ${preview.image.format} ${preview.image.width}×${preview.image.height}, ${preview.image.size} (re-encoded: no EXIF or location data)`
      : 'Image: none (text only)',
    preview.sendsApiKey ? 'API key: sent in the Authorization header' : 'API key: none',
  ];
}
