#!/usr/bin/env node
'use strict';
// The CLI is bundled with the extension into dist/cli.js (npm run bundle).
// Ctrl-C cancels a running build cleanly; a second Ctrl-C exits at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
require('../dist/cli.js')
  .main(process.argv.slice(2), undefined, controller.signal)
  .then((code) => { process.exitCode = code; });
