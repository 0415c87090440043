// @ts-check
/**
 * @module Lint rules, above all the layers: each folder may import only the folders below it, so a wrong import
 * fails `npm run lint` (and CI) instead of living in docs/architecture.md alone.
 */
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import layersTable from './layers.json' with { type: 'json' };

/**
 * layers.json: which of our folders each folder may import, lowest first. A folder not named there (test/, bench/)
 * may import any. docs/architecture.md draws the same table, and test/lint/layers.test.ts holds the rule to it.
 * @type {Record<string, string[]>}
 */
const layers = layersTable;

/** Packages that belong to one layer: the Docker client stays with the sandbox and the deployment code. */
const packagesOf = { dockerode: ['docker', 'deploy'] };

/** @param {string} folder */
function layerRestrictions(folder) {
  const allowed = layers[folder] ?? [];
  const forbidden = Object.keys(layers).filter((other) => other !== folder && !allowed.includes(other));
  const packages = Object.entries(packagesOf)
    .filter(([, owners]) => !owners.includes(folder))
    .map(([name]) => name);
  return {
    paths: packages.map((name) => ({
      name,
      message: `only ${packagesOf[/** @type {'dockerode'} */ (name)].join('/ and ')}/ use ${name}; ask them for what you need`,
    })),
    patterns: forbidden.length
      ? [
          {
            regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
            message: `${folder}/ may import only ${allowed.length ? allowed.map((name) => `${name}/`).join(', ') : 'no other folder of ours'} (see docs/architecture.md)`,
          },
        ]
      : [],
  };
}

/** @param {string} folder */
function restrictionsFor(folder) {
  return { files: [`${folder}/**/*.{ts,tsx}`], rules: { 'no-restricted-imports': ['error', layerRestrictions(folder)] } };
}

/**
 * The cloud's services hold its rules and know nothing of HTTP (no Express, no statuses, no requests or answers), so a
 * rule can be tested, and a new trigger can use it, without a server. One entry replaces the cloud's for these files, so
 * it repeats the cloud's layer rule.
 */
function cloudServiceRestrictions() {
  const cloud = layerRestrictions('cloud');
  const message = 'cloud/services/ know nothing of HTTP: take plain values, return records, throw EdgeError; the routes parse and present';
  return {
    files: ['cloud/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...cloud.paths, ...['express', 'cookie', 'express-rate-limit', 'node:http', 'node:https'].map((name) => ({ name, message }))],
          patterns: [
            ...cloud.patterns,
            { regex: '^\\.\\./(routes/|(app|auth|deps|http|http-status|invocation|openapi|present|rate-limit|route)\\.ts$)', message },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test/fixtures/**', 'bench/apps/**', 'bench/.tmp/**', 'docs/examples/**', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Unused names are tsc's job (noUnusedLocals, noUnusedParameters), with its own escape for `_` parameters.
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.object.name="console"][callee.property.name="log"]',
          message: 'print through cli/output.ts or log through the component logger',
        },
      ],
    },
  },
  {
    // A promise nobody awaits loses its failure: a check that became asynchronous and is called as before passes
    // everything. Type-aware, so only where the product's code lives.
    files: [`{${Object.keys(layers).join(',')}}/**/*.{ts,tsx}`],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }] },
  },
  {
    // Tests read JSON answers of every shape and assert on their fields; typing each would only restate the docs.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...Object.keys(layers).map(restrictionsFor),
  cloudServiceRestrictions(),
  prettier,
);
