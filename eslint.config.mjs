// ESLint with typescript-eslint, as VS Code extensions are linted. `npm run lint`
// runs it and the type checker; `npm test` runs `npm run lint` before the unit layer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'test/fixtures/**', 'webpack.config.js', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Unused values are mistakes, but `_`-prefixed ones are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Control characters are the point of ANSI and terminal code.
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
);
