import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { dropInName, effectiveExecStart, renderDropIn, splitExecStart, splitSystemctlCat, UnitFile } from '../../src/core/deploy/systemdUnit';
import { SAMPLES } from './paths';

const sample = (name: string) => fs.readFileSync(path.join(SAMPLES, name), 'utf8');
const MOBY_MASTER = 'moby-master-b985e231-contrib-init-systemd-docker.service';
const MOBY_1803 = 'moby-v18.03.1-ce-contrib-init-systemd-docker.service';
const COREOS = 'coreos-overlay-7921d033-app-emulation-docker-files-docker.service';

/** docker-machine's 10-machine.conf as libmachine/provision/ubuntu_systemd.go renders it (trailing space and empty Environment= included). */
const MACHINE_CONF =
  '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376 -H unix:///var/run/docker.sock --storage-driver overlay2 --tlsverify --tlscacert /etc/docker/ca.pem --tlscert /etc/docker/server.pem --tlskey /etc/docker/server-key.pem --label provider=virtualbox \nEnvironment=\n';

/** What `systemctl cat docker.service` prints: each file under a `# /path` header. */
function systemctlCat(files: Array<[string, string]>): string {
  return files.map(([p, text]) => `# ${p}\n${text}`).join('\n');
}

describe('systemd units: the ExecStart a drop-in must keep', function () {
  it("reads the effective ExecStart of Docker's own units (moby 18.03, master, CoreOS)", function () {
    assert.strictEqual(effectiveExecStart(splitSystemctlCat(systemctlCat([['/lib/systemd/system/docker.service', sample(MOBY_MASTER)]]))), '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock');
    assert.strictEqual(effectiveExecStart(splitSystemctlCat(systemctlCat([['/lib/systemd/system/docker.service', sample(MOBY_1803)]]))), '/usr/bin/dockerd -H fd://');
    assert.match(effectiveExecStart(splitSystemctlCat(systemctlCat([['/usr/lib/systemd/system/docker.service', sample(COREOS)]])))!, /^\/usr\/bin\/dockerd --host=fd:\/\/ .*\$DOCKER_OPT_IPMASQ$/);
  });

  it("docker-machine's 10-machine.conf resets ExecStart and wins; its comments and # lines inside units are not file headers", function () {
    const files = splitSystemctlCat(systemctlCat([['/lib/systemd/system/docker.service', sample(MOBY_MASTER)], ['/etc/systemd/system/docker.service.d/10-machine.conf', MACHINE_CONF]]));
    assert.deepStrictEqual(files.map((f) => f.path), ['/lib/systemd/system/docker.service', '/etc/systemd/system/docker.service.d/10-machine.conf']);
    assert.match(effectiveExecStart(files)!, /^\/usr\/bin\/dockerd -H tcp:\/\/0\.0\.0\.0:2376 .*--tlskey \/etc\/docker\/server-key\.pem --label provider=virtualbox$/);
  });

  it('joins continuation lines and keeps $VARIABLES and prefixes verbatim', function () {
    const unit: UnitFile[] = [{ path: '/x.service', text: '[Service]\nExecStart=-/usr/bin/dockerd \\\n  -H fd:// \\\n  $DOCKER_OPTS\n' }];
    const exec = effectiveExecStart(unit)!;
    assert.strictEqual(exec, '-/usr/bin/dockerd  -H fd://  $DOCKER_OPTS');
    assert.deepStrictEqual(splitExecStart(exec), { prefix: '-', binary: '/usr/bin/dockerd', rest: '-H fd://  $DOCKER_OPTS' });
    assert.deepStrictEqual(splitExecStart('"/opt/my bin/dockerd" -H fd://'), { prefix: '', binary: '/opt/my bin/dockerd', rest: '-H fd://' });
  });

  it('renders a drop-in: reset, the new binary with every flag, the binary folder first on PATH (CoreOS keeps its own PATH after it)', function () {
    const files = splitSystemctlCat(systemctlCat([['/usr/lib/systemd/system/docker.service', sample(COREOS)], ['/etc/systemd/system/docker.service.d/10-machine.conf', MACHINE_CONF]]));
    const text = renderDropIn(files, '/opt/bin', 'm1', '2026-11-23T00:00:00Z');
    const lines = text.split('\n');
    assert.deepStrictEqual(lines.filter((l) => l.startsWith('ExecStart=')), ['ExecStart=', `ExecStart=/opt/bin/dockerd${effectiveExecStart(files)!.slice('/usr/bin/dockerd'.length)}`]);
    assert.ok(lines.includes('Environment="PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'), text);
    assert.ok(lines.indexOf('[Service]') < lines.indexOf('ExecStart='));
    assert.throws(() => renderDropIn([{ path: '/x', text: '[Unit]\nDescription=x\n' }], '/opt/bin', 'm1', 'now'), /m1: the docker unit has no ExecStart/);
  });

  it('the drop-in sorts after every other drop-in', function () {
    assert.strictEqual(dropInName(['10-machine.conf']), '99-dockerfork.conf');
    assert.strictEqual(dropInName([]), '99-dockerfork.conf');
    const late = dropInName(['10-machine.conf', 'zz-local.conf']);
    assert.ok(late > 'zz-local.conf', late);
  });
});
