import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { OpenAiTestServerMode } from './config.ts';
import { imagesInRequest } from './received-images.ts';
import { promptText, type ChatBody, type RecordedRequest } from './recorded-request.ts';

/** Streams the answer as chat-completion events, breaking the stream as the mode asks. */
export async function streamAnswer(
  res: ServerResponse,
  closed: () => boolean,
  answer: string,
  model: string,
  body: ChatBody,
  mode: OpenAiTestServerMode,
  chunkDelayMs: number,
): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Request-Id': 'req-test' });
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model };
  const pieces = answer.match(/\S+\s*/g) ?? [answer];
  const events: string[] = [JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
  for (const piece of pieces) events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }));
  if (mode !== 'no-finish-reason') events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  if (body.stream_options?.include_usage === true) {
    const promptTokens = promptText(body).split(/\s+/).filter(Boolean).length;
    events.push(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: pieces.length, total_tokens: promptTokens + pieces.length } }));
  }
  events.push('[DONE]');

  for (const [index, data] of events.entries()) {
    if (closed()) return;
    if (index === 3 && mode === 'malformed-json') {
      res.write('data: {"choices": [{"delta": {"content": "unterminated\n\n');
      return void res.end();
    }
    if (index === 3 && mode === 'drop-mid-stream') {
      res.socket?.destroy();
      return;
    }
    const sent = mode === 'missing-choices' && data !== '[DONE]' ? JSON.stringify({ ...base, note: 'no choices here' }) : data;
    res.write(`data: ${sent}\n\n`);
    if (index < events.length - 1) await delay(chunkDelayMs);
  }
  res.end();
}

/** A deterministic answer that shows what arrived: the prompt's first words and the image, if any. */
export function echoAnswer(request: RecordedRequest, model: string): string {
  const words = promptText(request.body as ChatBody).split(/\s+/).filter(Boolean);
  const quoted = words.slice(0, 8).join(' ') + (words.length > 8 ? ' …' : '');
  const images = imagesInRequest(request);
  const image = images[0]
    ? `image received: ${images[0].format.toUpperCase()} ${images[0].width}x${images[0].height}, ${images[0].bytes.length} bytes`
    : 'no image received';
  return `Echo from ${model}: "${quoted}" (${image}).`;
}
