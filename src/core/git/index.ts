// The git side of a fork maintainer's clone, for the editor and the CLI. No vscode here.
export { DOCKER_SOURCES, defaultCloneDirectory, isDockerSourceName, sourceUrl } from './sources';
export type { DockerSourceName } from './sources';
export { GitOperationError, classifyGitFailure } from './errors';
export type { GitCommandRun, GitFailureKind } from './errors';
export { cloneRepository } from './clone';
export type { CloneOptions, CloneProgressEvent, CloneResult } from './clone';
export { addForkToClone } from './fork';
export type { AddForkOptions, AddForkResult } from './fork';
export { listRemotes, repositoryStatus } from './status';
export type { DirtyState, HeadInfo, RemoteInfo, RemoteRole, RepositoryStatus, UpstreamComparison } from './status';
export { checkoutRef, createBranchFromUpstreamTag, fetchUpstream, pushToFork, rebaseOntoUpstream } from './actions';
export type { ActionOptions, GitActionResult } from './actions';
