import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: typed documents for the operations the tests (and the benchmark) use,
 * from the committed schema.graphql. `npm run codegen` regenerates; `npm run check` fails when
 * the generated files are out of date.
 */
// scripts/codegen-check.ts generates into a scratch directory and compares.
const out = process.env.PVESPHERE_CODEGEN_OUT
  ? `${process.env.PVESPHERE_CODEGEN_OUT}/`
  : 'test/generated/';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', 'bench/**/*.ts', '!test/generated/**'],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Bytes: 'number', ID: 'string' },
        strictScalars: true,
      },
    },
  },
};

export default config;
