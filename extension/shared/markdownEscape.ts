/**
 * Escaping for Markdown that may be rendered by GitHub, VS Code hovers or any CommonMark renderer.
 * `<`, `>` and `&` become entities (CommonMark never turns an entity into a tag), every other ASCII
 * punctuation that has Markdown meaning is backslash-escaped, and table pipes are escaped too.
 */
import { displaySnippet } from './displayText';

const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!|~]/g;

export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MARKDOWN_PUNCTUATION, (char) => `\\${char}`);
}

/** Dataset text for Markdown: made visible, one line, bounded, then escaped. */
export function markdownSnippet(text: string, limit?: number): string {
  return escapeMarkdown(displaySnippet(text, limit));
}
