export type BaseUrlCheck = { ok: true; url: string } | { ok: false; message: string };

/**
 * Accepts an http(s) API base URL and returns it without trailing slashes (the SDK appends
 * `/chat/completions`). Credentials in the URL are refused: they would be stored with the settings.
 */
export function normalizeBaseUrl(input: string): BaseUrlCheck {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: 'Enter the full base URL of the API, such as http://localhost:11434/v1' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'The base URL must start with https:// or http://' };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Put the API key in the key field, not in the URL' };
  }
  if (url.search || url.hash) {
    return { ok: false, message: 'The base URL cannot have a query or a fragment' };
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** Hosts that browsers treat as this device: reachable offline and allowed over http from https pages. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The origin requests go to; null for an unparsable URL. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** host[:port], for messages and the payload preview. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** An https page may not fetch plain http except from loopback hosts (mixed content); the browser blocks it silently. */
export function isMixedContent(baseUrl: string, pageOrigin: string | null): boolean {
  if (!pageOrigin?.startsWith('https:')) return false;
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}
