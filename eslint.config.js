import js from "@eslint/js";
import tseslint from "typescript-eslint";

const noFocusedTests = {
  selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip|todo)$/]",
  message: "No focused or skipped tests.",
};
// `import { z }` (or the default export) is zod's whole namespace object: the bundles then keep every locale and the
// JSON-schema code (~460 KiB that each cold start parses); `import * as z` lets esbuild keep only what is used. (One
// locale's own module, `zod/v4/locales/en.js`, has only a default export: that one is fine.)
const noWholeZod = {
  selector:
    "ImportDeclaration[source.value=/^zod(\\/(mini|v4|v4-mini|v4\\/mini|v4\\/classic))?$/][importKind='value'] > :matches(ImportSpecifier[importKind='value'][imported.name='z'], ImportDefaultSpecifier)",
  message: 'Use `import * as z from "zod/mini"`: the named `z` pulls all of zod (every locale) into each bundle.',
};
// Bundled code (src, action, lambda) uses zod/mini: classic zod attaches every method to every schema instance when
// it is built, and the Action and the Lambda handlers build the provider definitions' schemas at import (measured on
// a quiet machine: ~75 schemas, 69.4 ms classic vs 61.9 ms mini per start; bundled zod 97 KiB -> 22 KiB). English
// messages come from src/zod-locale.ts, which zod/mini does not load by itself. Tests may use either.
const noClassicZod = {
  selector: "ImportDeclaration[source.value=/^zod(\\/v4(\\/classic)?)?$/]",
  message:
    'Use `import * as z from "zod/mini"` (and import "../zod-locale.js" where schemas are built): classic zod builds every schema with all its methods, a cost each cold start of the Action and the Lambdas pays.',
};

export default tseslint.config(
  { ignores: ["dist/**", "bench/.out/**", "node_modules/**", ".serverless/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        fetch: "readonly",
        Response: "readonly",
        Request: "readonly",
        Headers: "readonly",
        FormData: "readonly",
        Blob: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        queueMicrotask: "readonly",
        structuredClone: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", noFocusedTests, noWholeZod],
    },
  },
  {
    files: ["src/**/*.ts", "action/**/*.ts", "lambda/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", noFocusedTests, noWholeZod, noClassicZod],
    },
  },
);
