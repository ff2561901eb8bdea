/** What a build reports as it runs; every view, task and the CLI listen to these. */
export type BuildEvent =
  | { readonly type: 'log'; readonly stream: 'stdout' | 'stderr' | 'system'; readonly text: string }
  | { readonly type: 'progress'; readonly progress: BuildProgress }
  | { readonly type: 'artifact'; readonly artifact: Artifact }
  | { readonly type: 'done'; readonly result: BuildResult };

export interface BuildProgress {
  /** What is happening, e.g. `Step 3/12: RUN make`, `Making bundle: binary`. */
  readonly label: string;
  readonly step?: number;
  readonly total?: number;
  readonly percent?: number;
}

export interface Artifact {
  /** Absolute path on this machine. */
  readonly path: string;
  /** Relative to the repository root. */
  readonly relativePath: string;
  readonly size: number;
  readonly sha256: string;
  /** First line the binary printed for `--version`, where it has one. */
  readonly version?: string;
}

export interface BuildResult {
  /** The command's exit code; undefined when cancelled or when it never ran. */
  readonly exitCode?: number;
  readonly cancelled: boolean;
  /** Why it failed before or around the command (no engine, missing image...). */
  readonly error?: string;
  readonly durationMs: number;
  readonly artifacts: readonly Artifact[];
}

export type BuildListener = (event: BuildEvent) => void;
