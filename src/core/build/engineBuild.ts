import type Docker from 'dockerode';
import { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { PlainProgressPrinter } from './buildkit/plainProgress';
import { decodeStatus } from './buildkit/statusProto';
import { BuildStreamDecoder, messageText } from './buildStream';

/** How `POST /build` builds: the legacy builder (`version=1`) or BuildKit (`version=2`). */
export type EngineBuilder = 'legacy' | 'buildkit';

export interface EngineBuildRequest {
  readonly builder: EngineBuilder;
  /** The context as a tar stream. */
  readonly context: Readable;
  readonly tag: string;
  readonly dockerfile: string;
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** `host` where the engine has no default bridge for build steps. */
  readonly networkMode?: string;
  readonly signal: AbortSignal;
  /** Readable progress text, as `docker build --progress=plain` prints it. */
  readonly onText: (text: string) => void;
}

export interface EngineBuildOutcome {
  /** The engine's error message when the build failed (HTTP 200 with an `error` message). */
  readonly error?: string;
  /** BuildKit: the step that failed and its last output lines. */
  readonly failedStep?: { readonly step: string; readonly tail: readonly string[] };
}

/**
 * One `POST /build` through the engine API, for either builder, with the
 * stream turned into readable text. BuildKit's progress arrives as base64
 * protobuf (`moby.buildkit.trace`), decoded and printed as plain progress.
 * No BuildKit session is opened: the context goes up as the request body,
 * which every BuildKit-capable engine accepts, and no grpc is needed.
 * Aborting `signal` ends the request, which makes the engine cancel the build.
 */
export async function engineBuild(docker: Docker, req: EngineBuildRequest): Promise<EngineBuildOutcome> {
  const query: Record<string, unknown> = {
    t: req.tag,
    dockerfile: req.dockerfile,
    target: req.target,
    buildargs: req.buildArgs,
    labels: req.labels,
    networkmode: req.networkMode,
    forcerm: true,
    rm: true,
  };
  if (req.builder === 'buildkit') query.version = '2';
  const response = await new Promise<Readable>((resolve, reject) =>
    docker.modem.dial(
      {
        path: '/build?',
        method: 'POST',
        file: req.context,
        options: Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)),
        abortSignal: req.signal,
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      } as never,
      (err: Error | null, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)),
    ),
  );
  const decoder = new BuildStreamDecoder();
  const utf8 = new StringDecoder('utf8');
  const printer = new PlainProgressPrinter();
  let error: string | undefined;
  let undecodable = false;
  const handle = (text: string) => {
    for (const m of decoder.feed(text)) {
      if (m.error) error = m.errorDetail?.message ?? m.error;
      if (m.id === 'moby.buildkit.trace' && typeof m.aux === 'string') {
        try {
          const shown = printer.feed(decodeStatus(Buffer.from(m.aux, 'base64')));
          if (shown) req.onText(shown);
        } catch (e) {
          // Never fail a build over its progress display; say it once.
          if (!undecodable) req.onText(`(a BuildKit progress message could not be decoded: ${(e as Error).message})\n`);
          undecodable = true;
        }
        continue;
      }
      const t = messageText(m);
      if (t) req.onText(t);
    }
  };
  await new Promise<void>((resolve, reject) => {
    response.on('data', (d: Buffer) => handle(utf8.write(d)));
    response.on('end', () => {
      handle(utf8.end());
      for (const m of decoder.flush()) if (m.error) error = m.errorDetail?.message ?? m.error;
      resolve();
    });
    response.on('error', reject);
    response.on('close', resolve);
  });
  const failed = printer.failure();
  return { error, failedStep: failed && { step: failed.step, tail: failed.tail } };
}
