/**
 * Groups physical lines into CSV/TSV rows. A quoted field may contain line breaks (banking77 has a few),
 * so a row keeps the line and byte offset of its first line and spans to its last. csv-parse splits and
 * unescapes the fields; the line grouping is done here because csv-parse reports positions only for
 * whole records, and a stray quote must not swallow the rest of a 100 MB file: a quote still open at the
 * end of the file, or after maxRecordBytes, is reported and read as a literal character instead.
 */
import { parse as parseCsvSync } from 'csv-parse/sync';
import { isBlank } from './jsonlSource';
import type { PhysicalLine } from './lineReader';
import { decodeLine } from './sourceRecord';

export interface CsvDialect {
  delimiter: string;
  /** The quote character, or false for files where quotes are ordinary characters. */
  quote: string | false;
}

export interface CsvRow {
  line: number;
  endLine: number;
  byteOffset: number;
  byteLength: number;
  fields?: string[];
  problem?: string;
  warnings: string[];
}

interface HeldLine {
  physical: PhysicalLine;
  text: string;
  warnings: string[];
}

export async function* csvRows(lines: AsyncIterable<PhysicalLine>, dialect: CsvDialect, maxRecordBytes: number): AsyncGenerator<CsvRow> {
  const assembler = new RowAssembler(dialect, maxRecordBytes);
  for await (const line of lines) yield* assembler.feed(line);
  yield* assembler.finish();
}

class RowAssembler {
  private held: HeldLine[] = [];
  private heldBytes = 0;
  private readonly tracker: QuoteTracker | null;

  constructor(
    private readonly dialect: CsvDialect,
    private readonly maxRecordBytes: number,
  ) {
    this.tracker = dialect.quote === false ? null : new QuoteTracker(dialect.delimiter, dialect.quote);
  }

  *feed(line: PhysicalLine): Generator<CsvRow> {
    const opening = this.held.length === 0;
    if (opening && isBlank(line)) return;
    const decoded = decodeLine(line, this.maxRecordBytes);
    if (decoded.text === undefined) {
      // A line we cannot decode also ends any open quote: it is safer to read that quote literally.
      // Re-read lines may open a quote again before this line; read those literally too, to keep line order.
      while (this.held.length > 0) yield* this.abandonQuote('a line inside it could not be read');
      yield { ...span([line]), problem: decoded.problem, warnings: decoded.warnings };
      return;
    }
    if (!this.tracker) {
      yield this.row([{ physical: line, text: decoded.text, warnings: decoded.warnings }], false);
      return;
    }
    if (opening) this.tracker.reset();
    this.tracker.feed(decoded.text);
    this.held.push({ physical: line, text: decoded.text, warnings: decoded.warnings });
    this.heldBytes += line.byteLength + line.terminator.length;
    if (!this.tracker.inQuotes) {
      const held = this.takeHeld();
      yield this.row(held, true);
    } else if (this.heldBytes > this.maxRecordBytes) {
      yield* this.abandonQuote(`the quoted field is still open after ${this.heldBytes} bytes (maxRecordBytes ${this.maxRecordBytes})`);
    }
  }

  *finish(): Generator<CsvRow> {
    if (this.held.length > 0) yield* this.abandonQuote('the file ends inside the quoted field');
  }

  /** Reads the first held line with its quote as a literal character, then re-reads the lines after it. */
  private *abandonQuote(reason: string): Generator<CsvRow> {
    const [first, ...rest] = this.takeHeld();
    first.warnings.push(`unterminated quote opened on line ${first.physical.line}: ${reason}; the quote was read as a literal character`);
    yield this.row([first], false);
    for (const held of rest) yield* this.feed(held.physical);
  }

  private takeHeld(): HeldLine[] {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    return held;
  }

  private row(held: HeldLine[], quoted: boolean): CsvRow {
    // Most rows are one line: skip the joins (this runs once per row of a 100 MB file).
    const single = held.length === 1;
    const warnings = single ? held[0].warnings : held.flatMap((h) => h.warnings);
    const text = single ? held[0].text : held.map((h, i) => (i < held.length - 1 ? h.text + h.physical.terminator : h.text)).join('');
    const quote = this.dialect.quote;
    const base = { ...span(single ? [held[0].physical] : held.map((h) => h.physical)), warnings };
    if (!quoted || quote === false || !text.includes(quote)) return { ...base, fields: text.split(this.dialect.delimiter) };
    try {
      const rows = parseCsvSync(text, {
        delimiter: this.dialect.delimiter,
        quote,
        escape: quote,
        relax_quotes: true,
        relax_column_count: true,
        record_delimiter: ['\r\n', '\n'],
        skip_empty_lines: false,
      }) as string[][];
      if (rows.length !== 1) return { ...base, problem: `expected one CSV row, found ${rows.length}; skipped` };
      return { ...base, fields: rows[0] };
    } catch (error) {
      return { ...base, problem: `CSV parse error (${(error as Error).message}); skipped` };
    }
  }
}

function span(lines: PhysicalLine[]): Pick<CsvRow, 'line' | 'endLine' | 'byteOffset' | 'byteLength'> {
  const first = lines[0];
  const last = lines[lines.length - 1];
  return { line: first.line, endLine: last.line, byteOffset: first.byteOffset, byteLength: last.byteOffset + last.byteLength - first.byteOffset };
}

/**
 * Follows csv-parse's quoting rules with relax_quotes: a quote opens a quoted field only as the field's
 * first character; inside, a doubled quote is an escaped quote and a single quote closes the field.
 */
export class QuoteTracker {
  inQuotes = false;
  private atFieldStart = true;

  constructor(
    private readonly delimiter: string,
    private readonly quote: string,
  ) {}

  reset(): void {
    this.inQuotes = false;
    this.atFieldStart = true;
  }

  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.inQuotes) {
        if (c !== this.quote) continue;
        if (text[i + 1] === this.quote) i++;
        else this.inQuotes = false;
      } else if (c === this.quote && this.atFieldStart) {
        this.inQuotes = true;
        this.atFieldStart = false;
      } else {
        this.atFieldStart = c === this.delimiter;
      }
    }
  }
}
