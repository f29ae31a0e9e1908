/** What a run's report and settings say about its endpoints: the calls, tokens and cost each had, and how it was set. */
import type { CallLog } from './call-log.ts';
import type { EndpointSpec, EndpointTally } from './eval-types.ts';

/** One endpoint's calls and tokens from the log; the cost only where the spec gives a pricing. */
export function tally(log: CallLog, name: string, spec: EndpointSpec | null): EndpointTally {
  const counts = log.counts(name);
  const pricing = spec?.pricing ?? null;
  return {
    endpoint: name,
    ...counts,
    costUsd: pricing ? (counts.promptTokens * pricing.inputPerMTok + counts.completionTokens * pricing.outputPerMTok) / 1e6 : null,
  };
}

/** An endpoint as the settings record it: the key's environment variable by name, never the key. */
export function endpointSettings(spec: EndpointSpec) {
  return {
    name: spec.name,
    baseURL: spec.baseURL,
    model: spec.model,
    keyEnv: spec.apiKeyEnv ?? null,
    concurrency: spec.concurrency,
    requestsPerMinute: spec.requestsPerMinute,
    pricing: spec.pricing,
  };
}
