/**
 * TSV has two conventions: plain TSV (IANA text/tab-separated-values), where quotes are ordinary
 * characters, and TSV written by a CSV library, with CSV-style quoting. banking77 is the second (quoted
 * newlines), the Wikipedia toxicity set is the first (comments that start with a quote and never close
 * it). Reading the toxicity file with CSV quoting would merge five comments into one record.
 * The rule: a file is plain TSV when every line has the same number of tab-separated fields AND some
 * field starts with a quote without being a well-formed quoted field; otherwise quotes are honoured.
 */
import { isBlank } from './jsonlSource';
import { readPhysicalLines } from './lineReader';

const WELL_FORMED_QUOTED = /^"(?:[^"]|"")*"$/;

export interface QuotingDecision {
  quote: '"' | false;
  reason: string;
}

export async function detectTsvQuoting(file: string, start: number, maxLineBytes: number): Promise<QuotingDecision> {
  let fieldCount = -1;
  let strayQuoteLine = 0;
  for await (const line of readPhysicalLines(file, { start, maxLineBytes })) {
    if (!line.bytes || isBlank(line)) continue;
    const fields = line.bytes.toString('utf8').split('\t');
    if (fieldCount < 0) fieldCount = fields.length;
    if (fields.length !== fieldCount) {
      return { quote: '"', reason: `line ${line.line} has ${fields.length} tab-separated fields, not ${fieldCount}: quoted fields span lines` };
    }
    if (strayQuoteLine === 0 && fields.some((f) => f.startsWith('"') && !WELL_FORMED_QUOTED.test(f))) strayQuoteLine = line.line;
  }
  if (strayQuoteLine > 0) {
    return { quote: false, reason: `every line has ${fieldCount} fields and line ${strayQuoteLine} opens a quote it never closes: plain TSV` };
  }
  return { quote: '"', reason: 'no evidence against CSV-style quoting' };
}
