/**
 * A strict scan of the tags of a generated HTML document (our reports, and the SVG vega draws into them): every `<`
 * must open a tag whose attributes are all name="value"; anything else fails the scan. Text is compared once its
 * five escapes are undone, so hostile strings can be checked to appear only as text.
 */
export interface Tag {
  name: string;
  closing: boolean;
  attributes: Array<[string, string]>;
}

export const unescapeHtml = (value: string) =>
  value.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');

/** Every tag of the document (the one style element's CSS skipped), names lower-cased, attribute values unescaped. */
export function tagsOf(document: string): Tag[] {
  const withoutStyle = document.replace(/<style>[^<]*<\/style>/, '<style></style>');
  const tag = /<(\/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z][A-Za-z0-9:-]*="[^"<>]*")*)\s*\/?>|<!doctype html>/gy;
  const tags: Tag[] = [];
  for (let next = withoutStyle.indexOf('<'); next !== -1; next = withoutStyle.indexOf('<', tag.lastIndex)) {
    tag.lastIndex = next;
    const match = tag.exec(withoutStyle);
    if (!match) throw new Error(`A "<" that opens no tag: ${withoutStyle.slice(next, next + 80)}`);
    if (!match[2]) continue;
    const attributes = [...(match[3] ?? '').matchAll(/([A-Za-z][A-Za-z0-9:-]*)="([^"]*)"/g)].map(
      ([, key, value]) => [key!, unescapeHtml(value!)] as [string, string],
    );
    tags.push({ name: match[2].toLowerCase(), closing: match[1] === '/', attributes });
  }
  return tags;
}
