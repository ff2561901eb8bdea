// Runs last in `npm test`: the host's network (interfaces, addresses, routes,
// firewall rules, forwarding) and the user's ~/.ssh, ~/.docker, /etc/docker
// and /etc/ssh (and code-server's and Chromium's default dirs in the home)
// are exactly as npm test found them before its first layer,
// and the docker0 bridge standing for the user's Docker is still there.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { startDockerEngine } from '../services/dockerEngine';
import { diffHostStates, HOST_BASELINE_ENV, HostBaseline, interfaceIndex, takeHostState, USERS_DOCKER_BRIDGE } from '../services/hostState';
import { findBinary } from '../services/preflight';
import { makeRigDir, removeRigDir } from '../services/tempRoot';

const isRoot = process.getuid?.() === 0;

describe('after npm test: the host is as it was before the first layer', () => {
  let baseline: HostBaseline | undefined;
  before(function () {
    const file = process.env[HOST_BASELINE_ENV];
    // Only scripts/test.ts can note the state before the first layer.
    if (!file) this.skip();
    baseline = JSON.parse(fs.readFileSync(file, 'utf8')) as HostBaseline;
  });

  it('network interfaces, addresses, routes, firewall rules and forwarding are unchanged, and so are ~/.ssh, ~/.docker, /etc/docker, /etc/ssh and the default dirs of code-server and Chromium', () => {
    const changes = diffHostStates(baseline!.state, takeHostState());
    assert.deepStrictEqual(changes, [], `Since ${baseline!.takenAt}, before the first layer:\n${changes.join('\n')}`);
  });

  it("the docker0 bridge standing for the user's Docker still exists, the same interface", function () {
    if (!baseline!.bridge) this.skip(); // npm test could not create one (not root)
    const { name, ifindex } = baseline!.bridge!;
    assert.strictEqual(interfaceIndex(name), ifindex, `${name} (interface ${ifindex} before the first layer) was deleted or replaced`);
  });
});

describe("the host-state check sees a change (self-check)", () => {
  it('notices an interface that appears', function () {
    const ip = findBinary('ip');
    if (!ip || !isRoot) this.skip();
    const name = `dfwself${process.pid % 100000}`;
    const before = takeHostState([]);
    execFileSync(ip!, ['link', 'add', name, 'type', 'bridge']);
    try {
      const changes = diffHostStates(before, takeHostState([]));
      assert.ok(changes.some((c) => c.startsWith('links:') && c.includes(name)), `no change reported for ${name}:\n${changes.join('\n')}`);
    } finally {
      execFileSync(ip!, ['link', 'delete', name]);
    }
  });

  it('notices a file that changes below a watched directory', () => {
    const dir = makeRigDir('hoststate-self');
    try {
      fs.writeFileSync(path.join(dir, 'config'), 'a');
      const before = takeHostState([dir]);
      fs.writeFileSync(path.join(dir, 'config'), 'b');
      const changes = diffHostStates(before, takeHostState([dir]));
      assert.ok(changes.some((c) => c.startsWith(`file ${path.join(dir, 'config')}:`)), changes.join('\n'));
    } finally {
      removeRigDir(dir);
    }
  });
});

describe("a private Docker engine leaves the host's network alone", function () {
  this.timeout(120_000);

  it('keeps an existing docker0 bridge, and changes no interface, route or firewall rule of the host', async function () {
    const [dockerd, ip] = [findBinary('dockerd'), findBinary('ip')];
    if (!dockerd || !ip || !isRoot) this.skip(); // the rig's preflight reports missing tools
    const created = interfaceIndex(USERS_DOCKER_BRIDGE) === undefined;
    if (created) execFileSync(ip!, ['link', 'add', USERS_DOCKER_BRIDGE, 'type', 'bridge']);
    const bridge = interfaceIndex(USERS_DOCKER_BRIDGE);
    const root = makeRigDir('netcheck');
    try {
      const before = takeHostState([]);
      const engine = await startDockerEngine(root, dockerd!);
      try {
        assert.notStrictEqual(engine.networkNamespace, fs.readlinkSync('/proc/self/ns/net'), 'the engine runs in the host network namespace');
        assert.strictEqual(interfaceIndex(USERS_DOCKER_BRIDGE), bridge, 'starting the private engine deleted or replaced docker0');
        assert.deepStrictEqual(diffHostStates(before, takeHostState([])), [], 'the running engine changed the host network');
      } finally {
        await engine.stop();
      }
      assert.deepStrictEqual(diffHostStates(before, takeHostState([])), [], 'the stopped engine left the host network changed');
    } finally {
      removeRigDir(root);
      if (created && interfaceIndex(USERS_DOCKER_BRIDGE) === bridge) execFileSync(ip!, ['link', 'delete', USERS_DOCKER_BRIDGE]);
    }
  });
});
