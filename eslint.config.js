import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (ARCHITECTURE.md): the model imports nothing of ours; each stage imports only the
 * model; the pipeline wires the stages; the entries adapt the pipeline to the action and the CLI.
 */
const STAGES = ['discover', 'parse', 'lint', 'policies', 'guard', 'stateful', 'deploy', 'report'];
const boundary = (files, folders, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: folders.map((f) => `../${f}/*`), message: why }] },
    ],
  },
});
const layers = [
  boundary(
    ['src/model/**/*.ts'],
    [...STAGES, 'pipeline', 'entry'],
    'The model imports nothing of ours: move the shared piece into src/model/.',
  ),
  ...STAGES.map((stage) =>
    boundary(
      [`src/${stage}/**/*.ts`],
      [...STAGES.filter((s) => s !== stage), 'pipeline', 'entry'],
      'A stage imports only the model: take what it needs from another stage as an argument, wired in src/pipeline/.',
    ),
  ),
  boundary(['src/pipeline/**/*.ts'], ['entry'], 'The pipeline does not know its entries.'),
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/fixtures/', 'bench/corpus/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
      // noUncheckedIndexedAccess makes `!` the honest way to say an index is known to exist.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...layers,
);
