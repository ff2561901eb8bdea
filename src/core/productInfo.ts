import manifest from '../../package.json';

/** Name and version, read from the manifest so the CLI and the extension agree. */
export const PRODUCT = {
  name: manifest.displayName,
  version: manifest.version,
  extensionId: `${manifest.publisher}.${manifest.name}`,
} as const;
