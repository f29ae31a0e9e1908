import { useState } from 'react';

/** An object URL that follows `blob`; the previous one is revoked when the blob changes. */
export function useObjectUrl(blob: Blob | null): string | null {
  const [current, setCurrent] = useState<{ blob: Blob | null; url: string | null }>({ blob: null, url: null });
  if (current.blob !== blob) {
    if (current.url) URL.revokeObjectURL(current.url);
    const next = { blob, url: blob ? URL.createObjectURL(blob) : null };
    setCurrent(next);
    return next.url;
  }
  return current.url;
}
