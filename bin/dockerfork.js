#!/usr/bin/env node
'use strict';
// The CLI is bundled with the extension into dist/cli.js (npm run bundle).
// Ctrl-C cancels a running build cleanly; a second Ctrl-C exits at once.
const fs = require('fs');
const path = require('path');

const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  // A fresh clone has no dist/ yet: say what to run instead of a require stack trace.
  const root = path.resolve(__dirname, '..');
  process.stderr.write(`dockerfork: the CLI is not built yet (${bundle} is missing).\nRun 'npm install' and then 'npm run bundle' in ${root}, and try again.\n`);
  process.exit(1);
}

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
require(bundle)
  .main(process.argv.slice(2), undefined, controller.signal)
  .then((code) => { process.exitCode = code; });
