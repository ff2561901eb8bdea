import * as assert from 'assert';
import { findBinary, MissingToolsError, requireTools, TOOLS } from '../services/preflight';

describe('test rig preflight', () => {
  it('names every missing program and the Debian packages that install them, in one message', () => {
    assert.throws(
      () => requireTools([TOOLS.dockerd, TOOLS.sshd, TOOLS.chromium], '/nonexistent', []),
      (e: unknown) => {
        assert.ok(e instanceof MissingToolsError);
        assert.match(e.message, /'dockerd' \(for the private Docker engine\), 'sshd' \(for the SSH test host\), 'chromium'/);
        assert.match(e.message, /apt-get install -y docker\.io openssh-server chromium/);
        return true;
      },
    );
  });

  it('finds programs on PATH and returns their absolute paths', () => {
    const found = requireTools([TOOLS.git], process.env.PATH);
    assert.match(found.git, /^\/.*\/git$/);
    assert.strictEqual(findBinary('dfw-surely-not-a-program'), undefined);
  });
});
