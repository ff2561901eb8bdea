import { BASE_IMAGE, ensureBaseImageTarball, importBaseImage } from './baseImage';
import { DockerEngine, startDockerEngine } from './dockerEngine';
import { requireTools, TOOLS } from './preflight';
import { requireRoot } from './rig';

/** A private engine that already holds the fixture's base image: what the vscode layer and npm start need. */
export async function startEngineWithBaseImage(root: string, log: (line: string) => void, dataRoot?: string): Promise<DockerEngine> {
  const tools = requireTools([TOOLS.dockerd, TOOLS.containerd, TOOLS.debootstrap, TOOLS.tar]);
  requireRoot();
  const [engine, tarball] = await Promise.all([startDockerEngine(root, tools.dockerd, dataRoot), ensureBaseImageTarball(tools.debootstrap, log)]);
  try {
    if (!(await engine.client.getImage(BASE_IMAGE).inspect().then(() => true, () => false))) await importBaseImage(engine.client, tarball);
    return engine;
  } catch (e) {
    await engine.stop();
    throw e;
  }
}
