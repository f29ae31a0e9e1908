import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TEST_MODELS, type OpenAiTestServerMode } from './openai-test-server/config.ts';
import { imagesInRequest } from './openai-test-server/received-images.ts';
import { startOpenAiTestServer } from './openai-test-server/server.ts';

/*
 * An OpenAI-compatible VLM server that echoes what it received and fails on request, for tests and
 * for trying the remote panel: `npx tsx scripts/openai-test-server.ts --port 8787 [--host H]
 * [--api-key KEY] [--models a,b] [--mode MODE]`.
 */

export type { ModeOptions, OpenAiTestServerMode, OpenAiTestServerOptions } from './openai-test-server/config.ts';
export { decodeDataUrl, imagesInRequest, type ReceivedImage } from './openai-test-server/received-images.ts';
export type { RecordedRequest } from './openai-test-server/recorded-request.ts';
export { startOpenAiTestServer, type OpenAiTestServer } from './openai-test-server/server.ts';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const models = argument('--models')?.split(',');
  const server = await startOpenAiTestServer({
    port: Number(argument('--port') ?? 8787),
    host: argument('--host') ?? '127.0.0.1',
    apiKey: argument('--api-key') ?? null,
    ...(models ? { models } : {}),
  });
  const mode = argument('--mode') as OpenAiTestServerMode | undefined;
  if (mode) server.setMode(mode);
  console.log(`OpenAI-compatible test server at ${server.url} (mode: ${server.mode}; models: ${(models ?? DEFAULT_TEST_MODELS).join(', ')})`);
  let logged = 0;
  setInterval(() => {
    for (const request of server.requests.slice(logged)) {
      // Says whether a key came, never what it is.
      const auth = request.headers.authorization ? 'key: yes' : 'key: no';
      const images = request.method === 'POST' ? `, images: ${imagesInRequest(request).length}` : '';
      console.log(`${request.method} ${request.url} (${auth}${images})`);
    }
    logged = server.requests.length;
  }, 200);
}
