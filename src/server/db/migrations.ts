import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Migrations live in code (no directory scanning, so the bundled server carries them).
 * Never edit a migration that has shipped: add the next one. Portable DDL only.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('email', 'text', (col) => col.notNull().unique())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('password_hash', 'text', (col) => col.notNull())
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addCheckConstraint('users_role_check', sql`role in ('owner', 'member')`)
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('token_hash', 'text', (col) => col.notNull().unique())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('api_tokens_user_id').on('api_tokens').column('user_id').execute();

      await db.schema
        .createTable('assets')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('owner_id', 'text', (col) => col.notNull().references('users.id'))
        .addColumn('filename', 'text', (col) => col.notNull())
        .addColumn('mime_type', 'text', (col) => col.notNull())
        // Videos go up to 10 GB: more than a 32-bit integer.
        .addColumn('bytes', 'bigint', (col) => col.notNull())
        .addColumn('sha256', 'text', (col) => col.notNull())
        .addColumn('source_sha256', 'text', (col) => col.notNull())
        .addColumn('captured_at', 'text', (col) => col.notNull())
        .addColumn('uploaded_at', 'text', (col) => col.notNull())
        .addColumn('blob_key', 'text', (col) => col.notNull())
        .addUniqueConstraint('assets_owner_source_sha256', ['owner_id', 'source_sha256'])
        .execute();
      // The timeline's keyset pages: WHERE owner_id = ? ORDER BY captured_at DESC, id DESC.
      await db.schema
        .createIndex('assets_owner_captured')
        .on('assets')
        .columns(['owner_id', 'captured_at', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['assets', 'api_tokens', 'sessions', 'users']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
