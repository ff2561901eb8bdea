import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { simpleGit } from 'simple-git';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { clearCacheVolumes } from '../../src/core/build/cacheVolumes';
import { applyOverrides, BuildRecipe, ContainerRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets } from '../../src/core/repo/targets';
import { run } from '../services/processes';
import { currentRig } from './rigHooks';

/** The fixture's binary recipe, unprivileged, with its dev image tagged as the Makefile's DOCKER_IMAGE. */
async function fixtureBinary(root: string): Promise<ContainerRecipe> {
  const recipe = applyOverrides((await listTargets((await detectRepository(root))!)).find((t) => t.id === 'binary')!, { privileged: false }) as ContainerRecipe;
  if (recipe.image.kind !== 'dockerfile') throw new Error('expected a Dockerfile recipe');
  return { ...recipe, image: { ...recipe.image, tag: 'dfw-test-docker-dev' } };
}

describe('test rig: real services', function () {
  this.timeout(120_000);

  it('runs a container on the private Docker engine from the locally made base image and returns its output', async () => {
    const { docker, baseImage } = currentRig();
    const info = await docker.client.info();
    assert.ok(String(info.DockerRootDir).startsWith(currentRig().root), `engine data root ${info.DockerRootDir} is not the rig's`);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const [result, container] = await docker.client.run(baseImage, ['sh', '-c', 'echo "hello from $(cat /etc/debian_version)"; make --version | head -n1'], out, {
      HostConfig: { AutoRemove: false },
      Labels: { 'dfw.test': 'rig' },
    });
    await container.remove();
    assert.strictEqual(result.StatusCode, 0);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.match(text, /^hello from 12\.\d+/m);
    assert.match(text, /GNU Make \d/);
  });

  it('builds the fixture fork with its own Makefile (docker CLI, unprivileged) and finds binaries under bundles/', async function () {
    const { docker } = currentRig();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-fixture-'));
    try {
      fs.cpSync(path.join(__dirname, '../../../test/fixtures/moby-fork'), work, { recursive: true });
      const env = { ...process.env, DOCKER_HOST: docker.host, DOCKER_CONTEXT: '', DOCKER_GITCOMMIT: 'f1x7ure' };
      // Like moby's since 20.10, the dev image needs BuildKit and its `# syntax=`
      // frontend from a registry, which the docker CLI cannot reach here: the
      // image is built through the engine API (as the extension does), and
      // make is told its `build` step is done (`-o build`).
      const built = await new BuildRunner().run({ ...(await fixtureBinary(work)), command: ['true'], artifacts: [] } as BuildRecipe, {
        listener: () => undefined,
        engineEnv: { env: { PATH: process.env.PATH, DOCKER_HOST: docker.host }, homeDir: os.homedir() },
      });
      assert.strictEqual(built.exitCode, 0, built.error);
      const out = await run('make', ['-C', work, '-o', 'build', 'binary', 'DOCKER_PRIVILEGED=', 'DOCKER_IMAGE=dfw-test-docker-dev'], { env });
      assert.match(out, /---> Making bundle: binary \(in bundles\/binary\)/);
      const dockerd = path.join(work, 'bundles/binary-daemon/dockerd');
      assert.ok(fs.statSync(dockerd).isFile());
      assert.strictEqual((await run(dockerd, ['--version'])).trim(), 'Docker version dev, build f1x7ure');
    } finally {
      // The build ran as root in the container: files are root's; rm works for us as root.
      fs.rmSync(work, { recursive: true, force: true });
      await docker.client.getImage('dfw-test-docker-dev').remove({ force: true }).catch(() => undefined);
      await clearCacheVolumes(docker.client, work).catch(() => undefined);
    }
  });

  it('answers an ssh command on loopback, with the host key checked strictly', async () => {
    const { ssh } = currentRig();
    const out = await run('ssh', ssh.sshArgs('echo', 'ssh-ok', '$((6*7))'));
    assert.strictEqual(out.trim(), 'ssh-ok 42');
  });

  it('refuses the ssh connection when the host key is not the known one', async () => {
    const { ssh } = currentRig();
    const wrongKnownHosts = path.join(currentRig().root, 'wrong_known_hosts');
    // A real but different ed25519 key recorded for the same host and port.
    const otherKey = path.join(currentRig().root, 'other_host_key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const otherPublic = fs.readFileSync(`${otherKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    fs.writeFileSync(wrongKnownHosts, `[127.0.0.1]:${ssh.port} ${otherPublic}\n`);
    const args = ssh.sshArgs('true').map((a) => (a === `UserKnownHostsFile=${ssh.knownHostsFile}` ? `UserKnownHostsFile=${wrongKnownHosts}` : a));
    await assert.rejects(run('ssh', args), /host key|HOST IDENTIFICATION HAS CHANGED/i);
  });

  it('clones a repository over git:// from the git daemon, and pushes back to it', async () => {
    const { git } = currentRig();
    const url = await git.createRepository('swarmkit-fork', { 'README.md': '# swarmkit fork\n', 'vendor.conf': 'github.com/gogo/protobuf v1.3.2\n' });
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-clone-'));
    try {
      await simpleGit().clone(url, clone);
      assert.strictEqual(fs.readFileSync(path.join(clone, 'vendor.conf'), 'utf8'), 'github.com/gogo/protobuf v1.3.2\n');
      const repo = simpleGit(clone).addConfig('user.name', 'Test').addConfig('user.email', 'test@localhost');
      fs.writeFileSync(path.join(clone, 'CHANGELOG.md'), 'fork change\n');
      await repo.add('CHANGELOG.md');
      await repo.commit('fork change');
      await repo.push('origin', 'HEAD:refs/heads/fork-branch');
      const remoteRefs = await simpleGit().listRemote([url]);
      assert.match(remoteRefs, /refs\/heads\/fork-branch/);
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });
});
