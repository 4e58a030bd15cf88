// Lint: typescript-eslint's type-checked rules over src/, scripts/ and test/
// (the files tsconfig.json compiles). Formatting is Prettier's job, not lint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/', '.stack/', '.venv-st/', '.schemathesis/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Money must never become a JS number: no parseFloat anywhere.
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'money is a decimal string or a Big, never a float' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
      // Handlers implement async interfaces (kafkajs' eachMessage, our SliceHandler) without always awaiting.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // TIGER_STYLE: functions of about 70 lines at most.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 70, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
);
