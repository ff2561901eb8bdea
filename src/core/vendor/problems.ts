/** A problem found in a vendor file: where it is and what is wrong, for the CLI and diagnostics. */
export interface VendorProblem {
  /** The file, as given to the parser (absolute path when read from disk). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column of the offending text, when it is known. */
  column?: number;
  /** 1-based column just past the offending text (exclusive), when known. */
  endColumn?: number;
  severity: 'error' | 'warning';
  message: string;
}
