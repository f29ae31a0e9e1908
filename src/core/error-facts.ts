/** What anything thrown says about itself, for messages that quote it. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string' ? error.name : undefined;
}

/** Storage refused a write: Chromium and Safari name it QuotaExceededError; old Firefox used NS_ERROR_DOM_QUOTA_REACHED. */
export function isQuotaExceeded(error: unknown): boolean {
  const name = errorName(error);
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}
