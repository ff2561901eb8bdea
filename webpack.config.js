// Bundles the extension and the CLI into dist/. `vscode` is provided by the
// extension host and must never be bundled.
'use strict';
const path = require('path');
const webpack = require('webpack');

/** @type {(entry: string, name: string) => import('webpack').Configuration} */
const bundle = (entry, name) => ({
  target: 'node',
  entry,
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: `${name}.js`,
    chunkFilename: `${name}.[name].js`,
    libraryTarget: 'commonjs2',
  },
  devtool: 'nosources-source-map',
  externals: { vscode: 'commonjs vscode' },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{
      test: /\.ts$/,
      exclude: /node_modules/,
      use: [{ loader: 'ts-loader', options: { configFile: 'tsconfig.bundle.json', onlyCompileBundledFiles: true } }],
    }],
  },
  plugins: [
    // ssh2 (through dockerode) tries optional native add-ons inside try/catch
    // and falls back to pure JS; leave them out instead of failing the bundle.
    new webpack.IgnorePlugin({ resourceRegExp: /^cpu-features$/ }),
    new webpack.IgnorePlugin({ resourceRegExp: /sshcrypto\.node$/ }),
  ],
  // One lazily loaded chunk per entry (the build runner and its engine
  // client), with a stable name, rather than hashed vendor splits.
  optimization: { splitChunks: false },
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' },
  stats: 'errors-warnings',
});

module.exports = [
  bundle('./src/extension.ts', 'extension'),
  bundle('./src/cli/main.ts', 'cli'),
];
