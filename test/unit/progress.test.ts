import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BuildStreamDecoder, messageText } from '../../src/core/build/buildStream';
import { buildkitStep, dockerStep, makingBundle, percent, ProgressTracker } from '../../src/core/build/progress';
import { stripAnsi } from '../../src/core/util/lines';
import { FIXTURES } from './paths';

const sample = (name: string) => fs.readFileSync(path.join(FIXTURES, 'outputs', name), 'utf8');

describe('build progress parsing', () => {
  it('reads each format on its own line', () => {
    assert.deepStrictEqual(dockerStep('Step 3/12 : RUN make'), { step: 3, total: 12, label: 'Step 3/12: RUN make' });
    assert.deepStrictEqual(buildkitStep('#7 [dev 3/9] RUN make'), { step: 3, total: 9, label: '[3/9] RUN make' });
    assert.deepStrictEqual(buildkitStep('#12 [2/4] COPY . .'), { step: 2, total: 4, label: '[2/4] COPY . .' });
    assert.deepStrictEqual(makingBundle('---> Making bundle: binary (in bundles/binary)'), { label: 'Making bundle: binary' });
    assert.deepStrictEqual(percent('[ 42%] Building static'), { percent: 42, label: '[42%] Building static' });
    assert.strictEqual(percent('[420%] nonsense'), undefined);
    assert.strictEqual(dockerStep('Steps 3/12 : nope'), undefined);
  });

  it('finds hack/make.sh progress in the real moby v20.10.24 make binary log', () => {
    const t = new ProgressTracker();
    const found = [...t.feed(sample('moby-v20.10.24-hack-make-binary.log')), ...t.flush()];
    assert.deepStrictEqual(found, [{ label: 'Making bundle: binary' }]);
  });

  it('follows the steps of a real engine build stream, with colours and chunks split mid-line', () => {
    const decoder = new BuildStreamDecoder();
    const raw = sample('docker-api-1.41-build-stream.jsonl');
    const messages = [];
    // Feed in awkward 7-byte pieces, as the network might deliver it.
    for (let i = 0; i < raw.length; i += 7) messages.push(...decoder.feed(raw.slice(i, i + 7)));
    messages.push(...decoder.flush());
    const text = messages.map(messageText).filter((t): t is string => t !== undefined).join('');
    const tracker = new ProgressTracker();
    const steps = tracker.feed(text).filter((p) => p.step !== undefined).map((p) => `${p.step}/${p.total}`);
    assert.deepStrictEqual(steps, ['1/5', '2/5', '3/5', '4/5', '5/5']);
    assert.ok(text.includes('\u001b[32mgreen'), 'colours are kept in the log');
    assert.strictEqual(stripAnsi('\u001b[32mgreen\u001b[0m'), 'green');
    assert.strictEqual((messages.find((m) => m.aux)?.aux as { ID?: string } | undefined)?.ID?.slice(0, 19), 'sha256:633982f7aab6');
  });

  it('finds the failure of a failing build in the stream, though the HTTP status was 200', () => {
    const decoder = new BuildStreamDecoder();
    const messages = [...decoder.feed(sample('docker-api-1.41-build-stream-failing.jsonl')), ...decoder.flush()];
    const failure = messages.find((m) => m.error);
    assert.strictEqual(failure?.errorDetail?.code, 3);
    assert.match(failure!.error!, /returned a non-zero code: 3/);
  });
});
