#!/usr/bin/env node
'use strict';
// The CLI is bundled with the extension into dist/cli.js (npm run bundle).
require('../dist/cli.js')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
