import type { RemoteChatRequest, RemoteEndpoint } from './chat-request.ts';
import { originOf } from './endpoint-url.ts';
import type { PolicyWatch, RemoteEnvironment } from './remote-environment.ts';
import type { Failure, FailureContext, Reachability } from './remote-errors.ts';

export interface FailedRequest {
  operation: FailureContext['operation'];
  endpoint: RemoteEndpoint;
  model: string;
  image: RemoteChatRequest['image'];
  phase: FailureContext['phase'];
  userSignal: AbortSignal | undefined;
  environment: RemoteEnvironment;
  policy: PolicyWatch;
}

/** What the page can find out about a failure: for a request that got no response, whether CORS or the CSP was why. */
export async function failureContext(failure: Failure, request: FailedRequest): Promise<FailureContext> {
  const { environment, endpoint } = request;
  const targetOrigin = originOf(endpoint.baseUrl);
  const crossOrigin = environment.pageOrigin !== null && targetOrigin !== null && targetOrigin !== environment.pageOrigin;
  const failedWithoutResponse = request.phase === 'request' && failure.type === 'connection';
  let reachability: Reachability = 'not-probed';
  if (failedWithoutResponse && crossOrigin && !request.userSignal?.aborted) {
    reachability = await environment.probeReachability(endpoint.baseUrl, request.userSignal ?? new AbortController().signal);
  }
  return {
    operation: request.operation,
    presetId: endpoint.presetId,
    baseUrl: endpoint.baseUrl,
    model: request.model,
    phase: request.phase,
    reachability,
    // Only a request that got no response can have been blocked by the page's policy.
    policyBlocked: failedWithoutResponse ? await request.policy.blocked() : false,
    pageOrigin: environment.pageOrigin,
    online: environment.isOnline(),
    image: request.image ? { bytes: request.image.bytes, width: request.image.width, height: request.image.height } : null,
    secrets: endpoint.apiKey ? [endpoint.apiKey] : [],
    now: environment.now(),
  };
}
