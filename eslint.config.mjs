// ESLint: `npm run lint:eslint`. The rules the code meets; type-aware rules use tsconfig.test.json.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // assembly/ is AssemblyScript (TypeScript syntax, WebAssembly types), checked by its compiler in npm run build.
  { ignores: ["dist/", "build/", "release/", "graded/", "node_modules/", "tests/fixtures/", "datasets/", "assembly/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { project: "./tsconfig.test.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["bin/**/*.js", "scripts/**/*.js", "bench/**/*.js", "tests/fuzz/**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
      // Tracebacks and terminal output are cleaned of ANSI escapes on purpose.
      "no-control-regex": "off",
    },
  },
);
