import type { RemoteError } from './remote-errors.ts';

/** Removes the given secrets and anything shaped like a bearer token or an OpenAI-style key. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  // Secrets shorter than this would blank ordinary words; real keys are far longer.
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  return result.replace(/\bBearer\s+[^\s"',]+/gi, 'Bearer [redacted]').replace(/\bsk-[A-Za-z0-9_*-]{6,}/g, 'sk-[redacted]');
}

/** The error with the secrets taken out of every text it shows: message, the server's detail, the fix. */
export function redactError(error: RemoteError, secrets: readonly string[]): RemoteError {
  const redacted = { ...error, message: redactSecrets(error.message, secrets) };
  if ('detail' in redacted && redacted.detail) redacted.detail = redactSecrets(redacted.detail, secrets);
  if ('fix' in redacted && redacted.fix) redacted.fix = redactSecrets(redacted.fix, secrets);
  return redacted;
}
