// The git side of a fork maintainer's clone, for the editor and the CLI. No vscode here.
export { DOCKER_SOURCES, DockerSourceName, defaultCloneDirectory, isDockerSourceName, sourceUrl } from './sources';
export { GitCommandRun, GitFailureKind, GitOperationError, classifyGitFailure } from './errors';
export { CloneOptions, CloneProgressEvent, CloneResult, cloneRepository } from './clone';
export { AddForkOptions, AddForkResult, addForkToClone } from './fork';
export { DirtyState, HeadInfo, RemoteInfo, RemoteRole, RepositoryStatus, UpstreamComparison, listRemotes, repositoryStatus } from './status';
export { ActionOptions, GitActionResult, checkoutRef, createBranchFromUpstreamTag, fetchUpstream, pushToFork, rebaseOntoUpstream } from './actions';
