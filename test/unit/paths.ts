import * as path from 'path';

/** The repository root, from out/test/unit/ at run time. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
/**
 * Real files (vendor.conf, vendor.mod, ...) kept beside the repository: the CI
 * checkout has shared/ next to it. DFW_SAMPLES points elsewhere, for a
 * worktree that is not next to shared/.
 */
export const SAMPLES = process.env.DFW_SAMPLES ?? path.resolve(REPO_ROOT, '../shared/samples');
