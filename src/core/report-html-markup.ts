/*
 * The one way the HTML report writes markup: the `html` tag escapes every value put into its template, unless it
 * is markup the tag built itself. So untrusted text (a prompt, an analysis, a file name, a remote answer) can only
 * ever become text, in an element or inside a quoted attribute, never a tag, an attribute or a script.
 */

/** Markup built by `html`; nothing else is written unescaped. */
export class Markup {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  toString(): string {
    return this.#value;
  }
}

type Value = Markup | string | number | null | undefined | false | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or as a quoted attribute value: the five characters that could end either are escaped. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

function render(value: Value): string {
  if (value instanceof Markup) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template of markup whose values are escaped text, nested `html` markup, lists of either, or nothing
 * (null, undefined, false). Attribute values in the template must be quoted.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Markup(out);
}

/** Text with its line breaks kept as <br>, for free text in a paragraph. */
export function lines(value: string): Markup {
  const parts = value.replace(/\r\n?/g, '\n').trim().split('\n');
  return html`${parts.map((line, index) => (index === 0 ? html`${line}` : html`<br>${line}`))}`;
}
