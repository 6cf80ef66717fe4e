/**
 * Prints the Pothos schema, types sorted, into schema.graphql. With --check, fails (exit 1) when
 * the committed file differs from the schema the code builds.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/graphql/schema.js';

const path = new URL('../schema.graphql', import.meta.url);
const printed = `${printSchema(lexicographicSortSchema(schema))}\n`;

if (process.argv.includes('--check')) {
  const committed = await readFile(path, 'utf8').catch(() => '');
  if (committed !== printed) {
    console.error('schema.graphql is out of date: run `npm run schema:print` and commit it');
    process.exit(1);
  }
} else {
  await writeFile(path, printed);
  console.log('wrote schema.graphql');
}
