// Lint and format: ESLint flat config with Effect's dprint rule (Effect's own settings: 120 columns,
// no semicolons, double quotes, no trailing commas). `npm run lint` checks, `npm run lint:fix` formats.
import * as effectEslint from "@effect/eslint-plugin"
import eslint from "@eslint/js"
import tseslint from "typescript-eslint"

/** Published packages: their sources import Effect's modules one by one and never use `console`. */
const librarySources = ["core", "centrapay", "paysera", "cryptofuse", "autopay", "sandbox", "platform-node", "redis"]
  .map(
    (name) => `packages/${name}/src/**/*.ts`
  )

export default tseslint.config(
  { ignores: ["**/dist/**", "**/build/**", "**/node_modules/**", "**/.tmp/**", "**/coverage/**", "docs/**"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    files: ["**/*.ts", "**/*.mjs"],
    rules: {
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-namespace": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }]
    }
  },
  {
    // Node scripts (plain ESM JavaScript)
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } }
  },
  {
    files: librarySources,
    rules: {
      "no-console": "error",
      "@effect/no-import-from-barrel-package": ["error", {
        packageNames: ["effect", "@effect/platform", "@effect/platform-node", "@auth-pipeline/core"]
      }]
    }
  }
)
