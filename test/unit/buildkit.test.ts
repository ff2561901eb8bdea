import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chooseBuilder, isFrontendPullFailure } from '../../src/core/build/builderImage';
import { PlainProgressPrinter } from '../../src/core/build/buildkit/plainProgress';
import { decodeStatus, ProtoDecodeError } from '../../src/core/build/buildkit/statusProto';
import { BuildStreamDecoder } from '../../src/core/build/buildStream';
import { dockerfileFeatures, withoutSyntaxDirective } from '../../src/core/build/dockerfileFeatures';
import { ProgressTracker } from '../../src/core/build/progress';
import { FIXTURES } from './paths';

/** Replays a build stream captured from a real engine (Debian docker.io 20.10, API 1.41) through the decoder and printer. */
function replay(name: string): { text: string; printer: PlainProgressPrinter; errors: string[] } {
  const printer = new PlainProgressPrinter();
  const decoder = new BuildStreamDecoder();
  let text = '';
  const errors: string[] = [];
  for (const m of decoder.feed(fs.readFileSync(path.join(FIXTURES, 'outputs', name), 'utf8'))) {
    if (m.error) errors.push(m.error);
    if (m.id === 'moby.buildkit.trace' && typeof m.aux === 'string') text += printer.feed(decodeStatus(Buffer.from(m.aux, 'base64')));
  }
  return { text, printer, errors };
}

describe('BuildKit status decoding (moby.buildkit.trace)', () => {
  it('prints a real multi-stage build as plain progress: steps, their output, DONE', () => {
    const { text } = replay('docker-api-1.41-buildkit-stream.jsonl');
    assert.match(text, /^#5 \[base 2\/2\] RUN echo hello-base\n#5 [\d.]+ hello-base\n#5 DONE [\d.]+s$/m);
    assert.match(text, /^#6 \[dev 1\/2\] RUN --mount=type=cache,target=\/root\/\.cache echo cached > \/root\/\.cache\/x && ls \/root\/\.cache\n#6 [\d.]+ x\n/m);
    assert.match(text, /^#7 [\d.]+ tmpfs\n#7 [\d.]+ line two$/m);
    assert.match(text, /^#8 writing image sha256:[0-9a-f]{64} done$/m);
    // A blank line between steps, as `docker build --progress=plain`.
    assert.match(text, /DONE [\d.]+s\n\n#\d+ /);
  });

  it('names the failing step and keeps its last output lines', () => {
    const { text, printer, errors } = replay('docker-api-1.41-buildkit-stream-failing.jsonl');
    assert.match(text, /^#5 \[2\/2\] RUN echo before-fail && exit 3\n#5 [\d.]+ before-fail\n#5 ERROR: executor failed running \[\/bin\/sh -c echo before-fail && exit 3\]: exit code: 3$/m);
    const failure = printer.failure();
    assert.strictEqual(failure?.step, '[2/2] RUN echo before-fail && exit 3');
    assert.match(failure?.tail.join('\n') ?? '', /before-fail/);
    assert.strictEqual(errors.length, 1);
  });

  it('feeds the status-bar progress parser with BuildKit step lines', () => {
    const { text } = replay('docker-api-1.41-buildkit-stream.jsonl');
    const labels = new ProgressTracker().feed(text).map((p) => p.label);
    assert.ok(labels.includes('[2/2] RUN echo hello-base'), labels.join('\n'));
    assert.ok(labels.some((l) => l.startsWith('[1/2] RUN --mount=type=cache')), labels.join('\n'));
  });

  it('tells a frontend that could not be pulled from a failing step', () => {
    const offline = replay('docker-api-1.41-buildkit-syntax-offline.jsonl');
    const failure = offline.printer.failure();
    assert.ok(isFrontendPullFailure({ error: offline.errors[0], failedStep: failure && { step: failure.step, tail: failure.tail } }));
    const failing = replay('docker-api-1.41-buildkit-stream-failing.jsonl');
    const f2 = failing.printer.failure()!;
    assert.strictEqual(isFrontendPullFailure({ error: failing.errors[0], failedStep: { step: f2.step, tail: f2.tail } }), false);
  });

  it('joins output split across messages into whole lines', () => {
    const printer = new PlainProgressPrinter();
    const t0 = { seconds: 1_700_000_000, nanos: 0 };
    // Hand-encoded: the real stream splits output wherever the pipe did.
    const text =
      printer.feed({ vertexes: [{ digest: 'd1', name: '[dev 1/1] RUN make', cached: false, started: t0.seconds * 1000 }], statuses: [], logs: [], warnings: [] }) +
      printer.feed({ vertexes: [], statuses: [], logs: [{ vertex: 'd1', stream: 1, msg: Buffer.from('daemon/x.go:10:2: und'), timestamp: t0.seconds * 1000 + 1500 }], warnings: [] }) +
      printer.feed({ vertexes: [], statuses: [], logs: [{ vertex: 'd1', stream: 2, msg: Buffer.from('efined: foo\nnext\n'), timestamp: t0.seconds * 1000 + 1600 }], warnings: [] });
    assert.strictEqual(text, '#1 [dev 1/1] RUN make\n#1 1.600 daemon/x.go:10:2: undefined: foo\n#1 1.600 next\n');
  });

  it('refuses malformed protobuf with an error of its own', () => {
    assert.throws(() => decodeStatus(Buffer.from([0x0a, 0x05, 0x01])), ProtoDecodeError);
    assert.throws(() => decodeStatus(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), ProtoDecodeError);
  });
});

describe('Dockerfile features that choose the builder', () => {
  const MOBY_LIKE = '# syntax=docker/dockerfile:1\r\n\r\nARG GO_VERSION=1.19\r\nFROM golang:${GO_VERSION} AS base\r\n# RUN --mount in a comment does not count\r\nRUN --mount=type=cache,target=/root/.cache/go-build \\\r\n    --mount=type=tmpfs,target=/go/src/ go build ./...\r\nADD --chmod=0644 https://example.invalid/key /etc/key\r\nCOPY --from=base /x /y\r\n';

  it('finds the syntax directive and BuildKit-only flags with their lines', () => {
    const f = dockerfileFeatures(MOBY_LIKE);
    assert.deepStrictEqual(f.syntax, { line: 1, image: 'docker/dockerfile:1' });
    assert.deepStrictEqual(f.buildkitOnly, ['RUN --mount (line 6)', 'ADD --chmod (line 8)']);
  });

  it('only reads directives at the very top, and sees heredocs', () => {
    assert.strictEqual(dockerfileFeatures('FROM x\n# syntax=docker/dockerfile:1\n').syntax, undefined);
    assert.strictEqual(dockerfileFeatures('# a comment\n# syntax=docker/dockerfile:1\n').syntax, undefined);
    assert.deepStrictEqual(dockerfileFeatures('# escape=`\n#syntax = docker/dockerfile:1.4\nFROM x\nRUN <<EOF\necho hi\nEOF\n'), { syntax: { line: 2, image: 'docker/dockerfile:1.4' }, buildkitOnly: ['RUN heredoc (line 4)'] });
    assert.deepStrictEqual(dockerfileFeatures('FROM x\nRUN make\nCOPY --chown=1:1 a b\n').buildkitOnly, []);
  });

  it('empties the syntax line without moving any other line (CRLF kept)', () => {
    const out = withoutSyntaxDirective(MOBY_LIKE, dockerfileFeatures(MOBY_LIKE));
    const before = MOBY_LIKE.split('\n');
    const after = out.split('\n');
    assert.strictEqual(after.length, before.length);
    assert.strictEqual(after[0], '#\r');
    assert.deepStrictEqual(after.slice(1), before.slice(1));
    assert.strictEqual(dockerfileFeatures(out).syntax, undefined);
  });

  it('chooses BuildKit where the engine has it, the legacy builder only where the Dockerfile allows', () => {
    const plain = dockerfileFeatures('FROM x\nRUN make\n');
    const mounts = dockerfileFeatures(MOBY_LIKE);
    assert.strictEqual(chooseBuilder('auto', '1.41', mounts, 'Dockerfile'), 'buildkit');
    assert.strictEqual(chooseBuilder('auto', '1.39', plain, 'Dockerfile'), 'buildkit');
    assert.strictEqual(chooseBuilder('auto', '1.38', plain, 'Dockerfile'), 'legacy');
    assert.strictEqual(chooseBuilder('legacy', '1.41', plain, 'Dockerfile'), 'legacy');
    assert.throws(() => chooseBuilder('legacy', '1.41', mounts, '/r/Dockerfile'), /\/r\/Dockerfile uses RUN --mount \(line 6\), ADD --chmod \(line 8\), which only BuildKit builds, but dockerFork\.build\.builder is "legacy"/);
    assert.throws(() => chooseBuilder('auto', '1.38', mounts, 'Dockerfile'), /BuildKit needs 1\.39 .* use a newer engine/);
    assert.throws(() => chooseBuilder('buildkit', '1.30', plain, 'Dockerfile'), /The engine's API is 1\.30/);
  });
});
