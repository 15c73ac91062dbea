// ESLint: typescript-eslint's recommended rules over the TypeScript sources, ESLint's own over the
// build scripts (CommonJS, Node) and the editor code in resources/ (browser scripts, Node-RED's
// editor globals). Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["dist/", "node_modules/", ".ci/node22/", "coverage/", "reports/", ".stryker-tmp/", "test-artifacts/", ".demo/", ".data/", "resources/config.js"],
  },
  {
    files: ["**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // Node files `export =` their registration function, which TypeScript imports as `import x = require()`.
      "@typescript-eslint/no-require-imports": ["error", { allowAsImport: true }],
      // Node-RED's constructor pattern (`const node = this`, as its core nodes do), and a reader's
      // closures over itself.
      "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["node", "reader"] }],
      // Syslog and SD validation is about control characters: matching them is the point.
      "no-control-regex": "off",
      "no-new-func": "error",
      // `_`-prefixed names are deliberately unused (callback shapes, destructuring to drop a key).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["scripts/**/*.js", "eslint.config.mjs"],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node, sourceType: "commonjs" },
  },
  { files: ["eslint.config.mjs"], languageOptions: { sourceType: "module" } },
  {
    files: ["resources/**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.browser, RED: "readonly", $: "readonly", jQuery: "readonly", slsSyslogEditor: "readonly" }, sourceType: "script" },
  },
);
