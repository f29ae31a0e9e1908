import type {
  AlignType,
  BlockContent,
  Code,
  Delete,
  Emphasis,
  Heading,
  List,
  Paragraph,
  PhrasingContent,
  Root,
  Strong,
  Table,
  TableRow,
  Text,
} from 'mdast';
import { gfmStrikethroughToMarkdown } from 'mdast-util-gfm-strikethrough';
import { gfmTableToMarkdown } from 'mdast-util-gfm-table';
import { toMarkdown } from 'mdast-util-to-markdown';
import { oneLine } from './report-export-labels.ts';

/*
 * Builders for the mdast nodes the report is made of, and its one serializer. Untrusted text only ever goes into
 * text, code and image-alt nodes, which the serializer escapes, so it cannot open a heading, list, table cell, link,
 * emphasis or HTML.
 */

export function text(value: string): Text {
  return { type: 'text', value };
}

export function strong(value: string): Strong {
  return { type: 'strong', children: [text(value)] };
}

export function strikethrough(value: string): Delete {
  return { type: 'delete', children: [text(value)] };
}

export function emphasis(value: string): Emphasis {
  return { type: 'emphasis', children: [text(value)] };
}

export function heading(depth: Heading['depth'], value: string): Heading {
  return { type: 'heading', depth, children: [text(oneLine(value))] };
}

export function paragraph(children: PhrasingContent[]): Paragraph {
  return { type: 'paragraph', children };
}

/** `**label** value`, one line. */
export function labelled(label: string, value: string): PhrasingContent[] {
  return [strong(label), text(` ${oneLine(value)}`)];
}

/**
 * Free text as paragraphs: split at blank lines, each line trimmed and kept as a hard line break. A bold `label`
 * opens the first paragraph.
 */
export function prose(value: string, label?: string): Paragraph[] {
  const lead = label === undefined ? [] : [strong(label), text(' ')];
  const paragraphs = value.replace(/\r\n?/g, '\n').trim().split(/\n[ \t]*\n\s*/);
  return paragraphs.map((block, index) => {
    const lines = block.split('\n').flatMap((line, lineIndex): PhrasingContent[] =>
      lineIndex === 0 ? [text(line.trim())] : [{ type: 'break' }, text(line.trim())],
    );
    return paragraph(index === 0 ? [...lead, ...lines] : lines);
  });
}

export function codeBlock(value: string): Code {
  return { type: 'code', lang: 'text', value: value.replace(/\r\n?/g, '\n') };
}

export function bulletList(items: PhrasingContent[][]): List {
  return {
    type: 'list',
    ordered: false,
    spread: false,
    children: items.map((children) => ({ type: 'listItem', spread: false, children: [paragraph(children)] })),
  };
}

interface TableColumn {
  title: string;
  align: AlignType;
}

/** A GFM table; every cell is one line of text. */
export function table(columns: readonly TableColumn[], rows: ReadonlyArray<readonly string[]>): Table {
  const row = (cells: readonly string[]): TableRow => ({
    type: 'tableRow',
    children: cells.map((cell) => ({ type: 'tableCell', children: [text(oneLine(cell))] })),
  });
  return {
    type: 'table',
    align: columns.map((column) => column.align),
    children: [row(columns.map((column) => column.title)), ...rows.map(row)],
  };
}

export function serializeMarkdown(children: BlockContent[]): string {
  const root: Root = { type: 'root', children };
  return toMarkdown(root, {
    bullet: '-',
    emphasis: '_',
    extensions: [gfmTableToMarkdown(), gfmStrikethroughToMarkdown()],
  });
}
