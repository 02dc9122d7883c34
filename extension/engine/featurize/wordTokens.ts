/**
 * Readable tokens for featurizers that have no tokenizer of their own (raw strings, numeric rows):
 * lower-cased words with surrounding punctuation trimmed, so concept mining sees "free" in "FREE!".
 */
export function wordTokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/u)
    .map((word) => word.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, ''))
    .filter((word) => word.length > 0);
}
