import * as path from 'path';
import { chromium, Browser, Page } from 'playwright-core';
import { requireTools, TOOLS } from '../services/preflight';

/** Debian's Chromium, headless, kept off the (closed) network but for loopback. */
export async function launchChromium(userDataRoot: string): Promise<{ browser: Browser; page: Page; close(): Promise<void> }> {
  const { chromium: executablePath } = requireTools([TOOLS.chromium]);
  const context = await chromium.launchPersistentContext(path.join(userDataRoot, 'chromium'), {
    executablePath,
    // Chromium also writes crash reports, dconf and NSS databases below $HOME
    // and the XDG dirs: keep them under `userDataRoot` too.
    env: { ...process.env, HOME: path.join(userDataRoot, 'chromium-home'), XDG_CONFIG_HOME: path.join(userDataRoot, 'chromium-home', '.config'), XDG_CACHE_HOME: path.join(userDataRoot, 'chromium-home', '.cache') },
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { browser: context.browser()!, page, close: () => context.close() };
}
