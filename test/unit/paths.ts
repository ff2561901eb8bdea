import * as path from 'path';

/** The repository root, from out/test/unit/ at run time. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
