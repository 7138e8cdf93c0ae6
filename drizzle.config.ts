import { defineConfig } from 'drizzle-kit'

// drizzle-kit only generates SQL from the schema; migrations are applied by Colophon's own runner
// (`colophon migrate`), which records checksums in schema_migrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/platform/db/schema/index.ts',
  out: './migrations',
})
