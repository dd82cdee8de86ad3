import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip|todo)$/]",
          message: "No focused or skipped tests.",
        },
        // `import { z }` (or the default export) is zod's whole namespace object: the bundles then keep every locale and the
        // JSON-schema code (~460 KiB that each cold start parses); `import * as z` lets esbuild keep only what is used (~100 KiB).
        {
          selector:
            "ImportDeclaration[source.value=/^zod/][importKind='value'] > :matches(ImportSpecifier[importKind='value'][imported.name='z'], ImportDefaultSpecifier)",
          message: 'Use `import * as z from "zod"`: the named `z` pulls all of zod (every locale) into each bundle.',
        },
      ],
    },
  },
);
