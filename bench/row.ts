/** One benchmark measurement, printed as one JSON line. */
export type BenchRow = { name: string } & Record<string, string | number | boolean | null>;
