import type { PresetId } from './endpoint-presets.ts';

/** Where to send: the key lives only here, in memory, and reaches only the Authorization header. */
export interface RemoteEndpoint {
  presetId: PresetId;
  /** A normalized base URL (see normalizeBaseUrl), e.g. http://localhost:11434/v1. */
  baseUrl: string;
  /** Empty for none; then no Authorization header is sent at all. */
  apiKey: string;
}

/** The image as it will be sent: re-encoded, so no EXIF/GPS and no bytes appended to the original. */
export interface EncodedImage {
  dataUrl: string;
  mimeType: 'image/jpeg';
  width: number;
  height: number;
  /** Bytes of the JPEG (the base64 in the data URL is a third larger). */
  bytes: number;
  /** The decoded original, after EXIF orientation. */
  original: { width: number; height: number };
}

export interface RemoteChatRequest {
  endpoint: RemoteEndpoint;
  model: string;
  text: string;
  /** null sends the text only. */
  image: EncodedImage | null;
  maxTokens?: number | null;
  temperature?: number | null;
}

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

/** The JSON body of POST /chat/completions, exactly as sent. */
export interface ChatCompletionBody {
  model: string;
  messages: [{ role: 'user'; content: ChatContentPart[] }];
  stream: true;
  stream_options?: { include_usage: true };
  max_tokens?: number;
  temperature?: number;
}

/** One builder for the request and its preview, so what the user confirms is what is sent. */
export function buildChatBody(request: Omit<RemoteChatRequest, 'endpoint'>, streamUsage: boolean): ChatCompletionBody {
  const content: ChatContentPart[] = [{ type: 'text', text: request.text }];
  if (request.image) content.push({ type: 'image_url', image_url: { url: request.image.dataUrl } });
  return {
    model: request.model.trim(),
    messages: [{ role: 'user', content }],
    stream: true,
    ...(streamUsage ? { stream_options: { include_usage: true } } : {}),
    ...(request.maxTokens != null ? { max_tokens: request.maxTokens } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
  };
}
