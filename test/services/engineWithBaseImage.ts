import { ensureBaseImage, ensureBaseImageTarball } from './baseImage';
import { DockerEngine, startDockerEngine } from './dockerEngine';
import { requireTools, TOOLS } from './preflight';
import { requireRoot } from './rig';

/** A private engine that already holds the fixture's base image: what the vscode layer and npm start need. */
export async function startEngineWithBaseImage(root: string, log: (line: string) => void, dataRoot?: string): Promise<DockerEngine> {
  const tools = requireTools([TOOLS.dockerd, TOOLS.containerd, TOOLS.unshare, TOOLS.mount, TOOLS.ip, TOOLS.debootstrap, TOOLS.tar]);
  requireRoot();
  // The root file system is made (or found cached) while the engine starts.
  const [engine] = await Promise.all([startDockerEngine(root, tools.dockerd, dataRoot), ensureBaseImageTarball(tools.debootstrap, log)]);
  try {
    await ensureBaseImage(engine.client, tools.debootstrap, log);
    return engine;
  } catch (e) {
    await engine.stop();
    throw e;
  }
}
