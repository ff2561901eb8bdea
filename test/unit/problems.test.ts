import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GoProblemLines, parseGoProblems, problemPathsFor } from '../../src/core/build/problems';
import { ContainerRecipe, HostRecipe } from '../../src/core/build/recipe';
import { FIXTURES } from './paths';

// Outputs captured once from real tools (test/fixtures/outputs):
// - go-1.19-*.log: Debian's go 1.19.8 on a module `github.com/docker/docker`
//   whose daemon/daemon.go has an unused variable and an undefined name;
//   `go build ./...` from the root, `go build .` inside daemon/, `go vet`, `go test`.
// - buildkit-20.10-plain-go-compile-error.log: `DOCKER_BUILDKIT=1 docker build
//   --progress plain` (Debian docker.io 20.10.24 client and engine) of a
//   Dockerfile whose RUN step is the real Go compiler on that file, with the
//   source at /go/src/github.com/docker/docker as in moby's dev image.
const sample = (name: string) => fs.readFileSync(path.join(FIXTURES, 'outputs', name), 'utf8');

/** A repository on disk with the given files, so paths resolve against real files. */
function tree(files: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-problems-'));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), 'package x\n');
  }
  return root;
}

const containerRecipe = (repoRoot: string): ContainerRecipe => ({
  id: 'binary',
  label: 'binary',
  description: '',
  repoRoot,
  executor: 'container',
  image: { kind: 'image', name: 'docker-dev' },
  command: ['hack/make.sh', 'binary'],
  sourcePath: '/go/src/github.com/docker/docker',
  privileged: false,
  env: {},
  artifacts: [],
});

const hostRecipe = (repoRoot: string, cwd: string): HostRecipe => ({
  id: 'static',
  label: 'static',
  description: '',
  repoRoot,
  executor: 'host',
  command: ['make', 'binary'],
  cwd,
  env: {},
  artifacts: [],
});

const where = (problems: ReturnType<typeof parseGoProblems>, root: string) => problems.map((p) => `${path.relative(root, p.file)}:${p.line}:${p.column} ${p.message}`);

describe('Go problems from real compiler output', () => {
  const roots: string[] = [];
  const moby = () => {
    const root = tree(['daemon/daemon.go', 'daemon/daemon_test.go', 'cmd/dockerd/docker.go']);
    roots.push(root);
    return root;
  };
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it('reads go build run from the source root', () => {
    const root = moby();
    const problems = parseGoProblems(sample('go-1.19-build-from-root.log'), problemPathsFor(containerRecipe(root), { exists: fs.existsSync }));
    assert.deepStrictEqual(where(problems, root), ['daemon/daemon.go:6:2 x declared but not used', 'daemon/daemon.go:7:9 undefined: Versoin']);
  });

  it('reads the lines BuildKit prefixes with `#<step> <seconds>` (a builder image step that fails to compile)', () => {
    const root = moby();
    const log = sample('buildkit-20.10-plain-go-compile-error.log');
    assert.match(log, /^#6 0\.\d+ daemon\/daemon\.go:4:2: /m, 'the fixture has the BuildKit prefix');
    const problems = parseGoProblems(log, problemPathsFor(containerRecipe(root), { exists: fs.existsSync }));
    assert.deepStrictEqual(where(problems, root), ['daemon/daemon.go:4:2 x declared but not used', 'daemon/daemon.go:5:9 undefined: Versoin']);
  });

  it('reads newer BuildKit summaries (`<seconds> line`) and coloured lines', () => {
    const root = moby();
    const out = ' > [dev 3/3] RUN go build ./...:\n0.512 daemon/daemon.go:7:9: undefined: Versoin\n\u001b[31m#9 1.2 cmd/dockerd/docker.go:3:1: bad\u001b[0m\n';
    const problems = parseGoProblems(out, problemPathsFor(containerRecipe(root), { exists: fs.existsSync }));
    assert.deepStrictEqual(where(problems, root), ['daemon/daemon.go:7:9 undefined: Versoin', 'cmd/dockerd/docker.go:3:1 bad']);
  });

  it('places `./file.go` from go build inside a package folder through the package header', () => {
    const root = moby();
    const problems = parseGoProblems(sample('go-1.19-build-in-package-dir.log'), problemPathsFor(containerRecipe(root), { exists: fs.existsSync }));
    assert.deepStrictEqual(where(problems, root), ['daemon/daemon.go:6:2 x declared but not used', 'daemon/daemon.go:7:9 undefined: Versoin']);
  });

  it('reads go vet (`vet: ` prefix) and go test build failures', () => {
    const root = moby();
    const paths = problemPathsFor(containerRecipe(root), { exists: fs.existsSync });
    assert.deepStrictEqual(where(parseGoProblems(sample('go-1.19-vet.log'), paths), root), ['daemon/daemon.go:7:9 undeclared name: Versoin']);
    assert.deepStrictEqual(where(parseGoProblems(sample('go-1.19-test-build-failed.log'), paths), root), [
      'daemon/daemon.go:6:2 x declared but not used',
      'daemon/daemon.go:7:9 undefined: Versoin',
      'daemon/daemon_test.go:5:28 undefined: undefinedThing',
    ]);
  });

  it('resolves a host target’s relative paths from its make directory', () => {
    const root = tree(['components/cli/cli/command/container/run.go', 'components/engine/daemon/daemon.go']);
    roots.push(root);
    const out = 'cli/command/container/run.go:10:2: undefined: foo\n';
    const problems = parseGoProblems(out, problemPathsFor(hostRecipe(root, 'components/cli'), { exists: fs.existsSync }));
    assert.deepStrictEqual(where(problems, root), ['components/cli/cli/command/container/run.go:10:2 undefined: foo']);
    // Without the file check the make directory still comes first.
    assert.deepStrictEqual(where(parseGoProblems(out, problemPathsFor(hostRecipe(root, './components/cli'))), root), ['components/cli/cli/command/container/run.go:10:2 undefined: foo']);
  });

  it('maps docker-ce’s engine and cli build containers to components/engine and components/cli', () => {
    const root = tree(['components/cli/cli/command/container/run.go', 'components/engine/daemon/daemon.go']);
    roots.push(root);
    const out = [
      '/go/src/github.com/docker/docker/daemon/daemon.go:7:9: undefined: Versoin',
      '/go/src/github.com/docker/cli/cli/command/container/run.go:10:2: undefined: foo',
      // The engine's own build prints paths relative to its source folder.
      '# github.com/docker/docker/daemon',
      'daemon/daemon.go:6:2: x declared but not used',
      '/go/src/github.com/docker/docker/vendor/x/missing.go:1:1: not in this tree',
    ].join('\n');
    const problems = parseGoProblems(out, problemPathsFor(hostRecipe(root, '.'), { dockerCe: true, exists: fs.existsSync }));
    assert.deepStrictEqual(where(problems, root), [
      'components/engine/daemon/daemon.go:7:9 undefined: Versoin',
      'components/cli/cli/command/container/run.go:10:2 undefined: foo',
      'components/engine/daemon/daemon.go:6:2 x declared but not used',
    ]);
  });

  it('drops paths outside the repository', () => {
    const root = moby();
    const out = '/usr/local/go/src/runtime/proc.go:1:1: not ours\n../outside.go:1:1: not ours either\n./../../x.go:2:2: nor this\n';
    assert.deepStrictEqual(parseGoProblems(out, problemPathsFor(containerRecipe(root))), []);
  });

  it('keeps only the lines that matter from chunked output, and finds the same problems as the whole text', () => {
    const root = moby();
    const whole = `${'noise line\n'.repeat(50)}${sample('buildkit-20.10-plain-go-compile-error.log')}${sample('go-1.19-build-in-package-dir.log')}# not a header, a shell comment\n`;
    const lines = new GoProblemLines();
    for (let i = 0; i < whole.length; i += 13) lines.feed(whole.slice(i, i + 13));
    const kept = lines.text();
    assert.ok(!kept.includes('noise') && !kept.includes('shell comment'), kept);
    const paths = problemPathsFor(containerRecipe(root), { exists: fs.existsSync });
    assert.deepStrictEqual(parseGoProblems(kept, paths), parseGoProblems(whole, paths));
    assert.strictEqual(parseGoProblems(kept, paths).length, 4);
  });
});
