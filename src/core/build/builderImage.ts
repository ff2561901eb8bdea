import type Docker from 'dockerode';
import { promises as fs } from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { BuildStreamDecoder, messageText } from './buildStream';
import { contextFingerprint, listContextFiles, packFiles } from './context';
import { BuildSetupError, ExecutionContext, LABEL_CONTEXT, LABEL_REPO, system } from './executor';
import { ContainerRecipe } from './recipe';

/** The builder image to run, built when it is missing or anything that feeds it changed. */
export async function ensureBuilderImage(recipe: ContainerRecipe, docker: Docker, ctx: ExecutionContext): Promise<string> {
  const source = recipe.image;
  if (source.kind === 'image') {
    const found = await docker.getImage(source.name).inspect().catch(() => undefined);
    if (!found) throw new BuildSetupError(`Image '${source.name}' does not exist in the engine. Build or load it there, or choose another builder image.`);
    return source.name;
  }
  const dockerfilePath = path.join(recipe.repoRoot, source.context, source.dockerfile);
  const dockerfile = await fs.readFile(dockerfilePath, 'utf8').catch(() => undefined);
  if (dockerfile === undefined) throw new BuildSetupError(`No Dockerfile at ${dockerfilePath}: the builder image cannot be built. Add one, or choose an existing builder image.`);
  const contextRoot = path.join(recipe.repoRoot, source.context);
  const files = await listContextFiles(contextRoot, { dockerfile: source.dockerfile });
  const fingerprint = contextFingerprint(files, JSON.stringify([dockerfile, source.target ?? '', source.buildArgs ?? {}]));
  const existing = await docker.getImage(source.tag).inspect().catch(() => undefined);
  if (existing?.Config?.Labels?.[LABEL_CONTEXT] === fingerprint) {
    system(ctx, `Reusing builder image ${source.tag}: nothing that feeds it changed`);
    return source.tag;
  }
  system(ctx, `Building builder image ${source.tag} from ${source.dockerfile} (${files.length} files in the context)`);
  const response = (await docker.buildImage(packFiles(contextRoot, files) as unknown as NodeJS.ReadableStream, {
    t: source.tag,
    dockerfile: source.dockerfile,
    target: source.target,
    buildargs: source.buildArgs,
    labels: { [LABEL_CONTEXT]: fingerprint, [LABEL_REPO]: recipe.repoRoot },
    forcerm: true,
    abortSignal: ctx.signal,
  } as Docker.ImageBuildOptions)) as unknown as Readable;
  const decoder = new BuildStreamDecoder();
  let failure: string | undefined;
  const handle = (text: string) => {
    for (const m of decoder.feed(text)) {
      if (m.error) failure = m.errorDetail?.message ?? m.error;
      const t = messageText(m);
      if (t) ctx.emit({ type: 'log', stream: 'stdout', text: t });
    }
  };
  await new Promise<void>((resolve, reject) => {
    response.on('data', (d: Buffer) => handle(d.toString('utf8')));
    response.on('end', resolve);
    response.on('error', reject);
  }).catch((e: Error) => {
    if (!ctx.signal.aborted) throw new BuildSetupError(`Building ${source.tag} failed: ${e.message}`);
  });
  for (const m of decoder.flush()) if (m.error) failure = m.errorDetail?.message ?? m.error;
  if (failure) throw new BuildSetupError(`Building builder image ${source.tag} from ${dockerfilePath} failed: ${failure}`);
  return source.tag;
}
