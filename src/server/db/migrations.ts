import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { normaliseKey } from '../../shared/search-query';

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
  /**
   * Issue 4: per-asset metadata, thumbnails, the trash, and the background job queue. Assets that
   * predate it get a job each to read their metadata and one to make their thumbnails.
   */
  '0002_library': {
    async up(db: Kysely<unknown>): Promise<void> {
      // One column per ALTER TABLE: SQLite adds only one at a time.
      const columns: [string, 'integer' | 'text' | 'double precision'][] = [
        ['width', 'integer'],
        ['height', 'integer'],
        ['make', 'text'],
        ['model', 'text'],
        ['lens', 'text'],
        // double precision, not real: PostgreSQL's real has 6 digits, about a kilometre of longitude.
        ['latitude', 'double precision'],
        ['longitude', 'double precision'],
        ['captured_offset_minutes', 'integer'],
        ['duration_seconds', 'double precision'],
        ['thumb_version', 'text'],
        ['thumb_code', 'text'],
        ['thumb_reason', 'text'],
        ['deleted_at', 'text'],
      ];
      for (const [name, type] of columns) {
        await db.schema.alterTable('assets').addColumn(name, type).execute();
      }
      await db.schema
        .alterTable('assets')
        .addColumn('thumb_state', 'text', (col) =>
          col
            .notNull()
            .defaultTo('pending')
            .check(sql`thumb_state in ('pending', 'ready', 'placeholder')`),
        )
        .execute();

      // The timeline reads only what is not in the trash; a partial index keeps its keyset pages
      // and day counts on the index alone.
      await db.schema
        .createIndex('assets_owner_library')
        .on('assets')
        .columns(['owner_id', 'captured_at', 'id'])
        .where(sql.ref('deleted_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('assets_owner_trash')
        .on('assets')
        .columns(['owner_id', 'deleted_at', 'id'])
        .where(sql.ref('deleted_at'), 'is not', null)
        .execute();
      await db.schema.createIndex('assets_blob_key').on('assets').column('blob_key').execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('asset_id', 'text', (col) => col.references('assets.id').onDelete('cascade'))
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('run_after', 'text', (col) => col.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .addCheckConstraint('jobs_state_check', sql`state in ('queued', 'running', 'done', 'failed')`)
        .execute();
      await db.schema
        .createIndex('jobs_state_run_after')
        .on('jobs')
        .columns(['state', 'run_after'])
        .execute();
      await db.schema.createIndex('jobs_asset_id').on('jobs').column('asset_id').execute();

      const now = new Date().toISOString();
      for (const kind of ['metadata', 'thumbnail']) {
        await sql`
          insert into jobs (id, kind, asset_id, state, attempts, run_after, created_at, updated_at)
          select ${`${kind}-`} || id, ${kind}, id, 'queued', 0, ${now}, ${now}, ${now} from assets
        `.execute(db);
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('jobs').execute();
      for (const index of ['assets_blob_key', 'assets_owner_trash', 'assets_owner_library']) {
        await db.schema.dropIndex(index).execute();
      }
      for (const column of [
        'thumb_state',
        'deleted_at',
        'thumb_reason',
        'thumb_code',
        'thumb_version',
        'duration_seconds',
        'captured_offset_minutes',
        'longitude',
        'latitude',
        'lens',
        'model',
        'make',
        'height',
        'width',
      ]) {
        await db.schema.alterTable('assets').dropColumn(column).execute();
      }
    },
  },
  /**
   * Issue 4: the day buckets. Counting the library by capture day read every row of the owner's
   * library index, worked out each row's day and sorted them by it (about 100 ms for 100,000
   * assets). An index on the day itself hands the GROUP BY its rows already grouped, and reads
   * nothing else. It is an index on an expression, which SQLite and PostgreSQL both keep up to
   * date on every write (the day follows an edited capture time), and creating it is the backfill.
   * The expression must stay the one listDayBuckets groups by, or the index goes unused.
   */
  '0003_day_buckets': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create index assets_owner_library_day on assets (owner_id, substr(captured_at, 1, 10))
        where deleted_at is null
      `.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('assets_owner_library_day').execute();
    },
  },
  /**
   * Issue 18: a storage quota per user (null: no limit), and API tokens that may expire and be
   * limited to uploading or to reading (auth/api-tokens.ts enforces both on every route).
   */
  '0004_quotas_and_token_scopes': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('quota_bytes', 'bigint').execute();
      await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
      await db.schema
        .alterTable('api_tokens')
        .addColumn('scope', 'text', (col) =>
          col
            .notNull()
            .defaultTo('full')
            .check(sql`scope in ('full', 'upload', 'read')`),
        )
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('api_tokens').dropColumn('scope').execute();
      await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
      await db.schema.alterTable('users').dropColumn('quota_bytes').execute();
    },
  },
  /**
   * Issue 18: the sign-in throttle lives in the database, so that every server process counts
   * the same attempts (auth/login-throttle.ts).
   */
  '0005_login_attempts': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('login_attempts')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('window_start', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('login_attempts_window_start')
        .on('login_attempts')
        .column('window_start')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('login_attempts').execute();
    },
  },
  /**
   * Issue 17: search. Places and cameras are dictionaries (a few thousand rows) that suggestions
   * read by their normalised keys; an asset points at one of each. The search index job
   * (search/index-job.ts) fills the asset columns in the background and marks each asset with
   * what it was indexed from (`search_source`), so a new geocoder or data set indexes again.
   * Each filter that pages through many rows has an index in capture order, like the timeline's.
   */
  '0006_search': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('places')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('country_code', 'text', (col) => col.notNull())
        .addColumn('country', 'text', (col) => col.notNull())
        .addColumn('region', 'text')
        .addColumn('city', 'text')
        .addColumn('country_key', 'text', (col) => col.notNull())
        .addColumn('region_key', 'text')
        .addColumn('city_key', 'text')
        .execute();
      await db.schema
        .createTable('cameras')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('make', 'text')
        .addColumn('model', 'text')
        .addColumn('label', 'text', (col) => col.notNull())
        .addColumn('key', 'text', (col) => col.notNull())
        .addColumn('make_key', 'text')
        .execute();
      for (const column of ['country_key', 'region_key', 'city_key']) {
        await db.schema.createIndex(`places_${column}`).on('places').column(column).execute();
      }
      for (const name of ['place_id', 'camera_id', 'name_key', 'capture_kind', 'search_source']) {
        await db.schema.alterTable('assets').addColumn(name, 'text').execute();
      }
      for (const [index, column] of [
        ['assets_owner_place', 'place_id'],
        ['assets_owner_camera', 'camera_id'],
        ['assets_owner_capture_kind', 'capture_kind'],
      ] as const) {
        await db.schema
          .createIndex(index)
          .on('assets')
          .columns(['owner_id', column, 'captured_at', 'id'])
          .where((eb) => eb.and([eb(sql.ref('deleted_at'), 'is', null), eb(sql.ref(column), 'is not', null)]))
          .execute();
      }
      await db.schema
        .createIndex('assets_search_pending')
        .on('assets')
        .column('id')
        .where(sql.ref('search_source'), 'is', null)
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const index of [
        'assets_search_pending',
        'assets_owner_capture_kind',
        'assets_owner_camera',
        'assets_owner_place',
      ]) {
        await db.schema.dropIndex(index).execute();
      }
      for (const name of ['search_source', 'capture_kind', 'name_key', 'camera_id', 'place_id']) {
        await db.schema.alterTable('assets').dropColumn(name).execute();
      }
      await db.schema.dropTable('cameras').execute();
      for (const column of ['city_key', 'region_key', 'country_key']) {
        await db.schema.dropIndex(`places_${column}`).execute();
      }
      await db.schema.dropTable('places').execute();
    },
  },
  /**
   * Issue 13: what became of each finished tus upload, kept after its bytes moved into the blob
   * store, so that a client whose final answer was lost learns from a HEAD that the upload is
   * complete (and which asset it made) instead of sending it all again; and, while `state` is
   * 'finishing', which request is verifying and storing it (`claim_id`, until `lease_until`).
   */
  '0007_finished_uploads': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('finished_uploads')
        .addColumn('upload_id', 'text', (col) => col.primaryKey())
        .addColumn('owner_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('upload_length', 'bigint', (col) => col.notNull())
        .addColumn('upload_metadata', 'text')
        .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('finishing', 'finished')`))
        .addColumn('claim_id', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('asset_id', 'text')
        .addColumn('outcome', 'text')
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('finished_uploads_updated_at')
        .on('finished_uploads')
        .column('updated_at')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('finished_uploads').execute();
    },
  },
  /**
   * Issue 14: jobs claimed by several processes. A running job carries the lease of the process
   * running it, renewed while it runs, so that only a job whose process died is taken back; a
   * unique key makes scheduling an insert that finds the queued job instead of a check that
   * races. Jobs running when this ran have no lease and are taken back at once. The recurring
   * kinds' queued jobs get their key (one each: any other queued duplicate runs once and is gone).
   */
  '0008_job_leases': {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const column of ['locked_until', 'locked_by', 'unique_key']) {
        await db.schema.alterTable('jobs').addColumn(column, 'text').execute();
      }
      for (const kind of ['purge-trash', 'prune-jobs', 'search-index']) {
        await sql`
          update jobs set unique_key = ${`every:${kind}`}
          where id = (select min(id) from jobs where kind = ${kind} and state = 'queued')
        `.execute(db);
      }
      await db.schema.createIndex('jobs_unique_key').on('jobs').column('unique_key').unique().execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('jobs_unique_key').execute();
      for (const column of ['unique_key', 'locked_by', 'locked_until']) {
        await db.schema.alterTable('jobs').dropColumn(column).execute();
      }
    },
  },
  /**
   * Issue 14: references to each original's bytes counted in the database (storage/blob-refs.ts),
   * in place of a lock in one process's memory, so that a purge in one process and an upload
   * deduplicated onto the same bytes in another can never lose them. Counted from the assets.
   */
  '0009_blob_refs': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('blobs')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('refs', 'integer', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();
      await sql`
        insert into blobs (key, refs, updated_at)
        select blob_key, count(*), ${new Date().toISOString()} from assets group by blob_key
      `.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('blobs').execute();
    },
  },
  /**
   * Issue 17: search without scans. A word of a file name is found through a trigram index of
   * `assets.name_key` (pg_trgm's GIN index on PostgreSQL; an FTS5 table with the trigram
   * tokenizer on SQLite, kept by triggers, its rowids mapped to asset ids because an asset's
   * SQLite rowid may change on VACUUM); the start of a file name, for suggestions, through a
   * B-tree in byte order (PostgreSQL's "C" collation: a prefix is then a range of keys). The map
   * reads its points from a covering index of the geotagged photos; its tile server is a server
   * setting.
   */
  '0010_search_indexes': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A month of any year (`month:7`, "July" as a suggestion), as search/search.ts writes it.
      await sql`create index assets_owner_month on assets (owner_id, substr(captured_at, 6, 2)) where deleted_at is null`.execute(
        db,
      );
      // Settings of the whole server its owner changes in the app: the map's tile server.
      await db.schema
        .createTable('server_settings')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('value', 'text', (col) => col.notNull())
        .execute();
      // The map's points, newest first, from the index alone.
      await db.schema
        .createIndex('assets_owner_located')
        .on('assets')
        .columns(['owner_id', 'captured_at', 'id', 'latitude', 'longitude'])
        .where((eb) =>
          eb.and([eb(sql.ref('deleted_at'), 'is', null), eb(sql.ref('latitude'), 'is not', null)]),
        )
        .execute();
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        // pg_trgm is a trusted extension (PostgreSQL 13+): a role that may create in the database may add it.
        await sql`create extension if not exists pg_trgm`.execute(db);
        await sql`create index assets_name_trigrams on assets using gin (name_key gin_trgm_ops)`.execute(db);
        await sql`create index assets_owner_name on assets (owner_id, (name_key collate "C")) where deleted_at is null`.execute(
          db,
        );
        return;
      }
      await db.schema
        .createIndex('assets_owner_name')
        .on('assets')
        .columns(['owner_id', 'name_key'])
        .where(sql.ref('deleted_at'), 'is', null)
        .execute();
      await sql`create table asset_name_rows (row integer primary key, asset_id text not null unique)`.execute(
        db,
      );
      await sql`create virtual table asset_names using fts5(name_key, tokenize = 'trigram')`.execute(db);
      await sql`insert into asset_name_rows (asset_id) select id from assets where name_key is not null`.execute(
        db,
      );
      await sql`insert into asset_names (rowid, name_key)
        select asset_name_rows.row, assets.name_key from asset_name_rows join assets on assets.id = asset_name_rows.asset_id`.execute(
        db,
      );
      await sql`create trigger asset_names_insert after insert on assets when new.name_key is not null begin
        insert into asset_name_rows (asset_id) values (new.id);
        insert into asset_names (rowid, name_key) values (last_insert_rowid(), new.name_key);
      end`.execute(db);
      await sql`create trigger asset_names_update after update of name_key on assets begin
        insert or ignore into asset_name_rows (asset_id) values (new.id);
        delete from asset_names where rowid = (select row from asset_name_rows where asset_id = new.id);
        insert into asset_names (rowid, name_key)
          select row, new.name_key from asset_name_rows where asset_id = new.id and new.name_key is not null;
      end`.execute(db);
      await sql`create trigger asset_names_delete after delete on assets begin
        delete from asset_names where rowid = (select row from asset_name_rows where asset_id = old.id);
        delete from asset_name_rows where asset_id = old.id;
      end`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('assets_owner_month').execute();
      await db.schema.dropTable('server_settings').execute();
      await db.schema.dropIndex('assets_owner_located').execute();
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        await db.schema.dropIndex('assets_owner_name').execute();
        await db.schema.dropIndex('assets_name_trigrams').execute();
        return;
      }
      for (const trigger of ['asset_names_delete', 'asset_names_update', 'asset_names_insert']) {
        await sql`drop trigger ${sql.id(trigger)}`.execute(db);
      }
      await db.schema.dropTable('asset_names').execute();
      await db.schema.dropTable('asset_name_rows').execute();
      await db.schema.dropIndex('assets_owner_name').execute();
    },
  },
  /**
   * Issue 16: favourites, the archive and rotation on assets; albums, their photos and members;
   * public links. Favourites and the archive are times (null: not), like the trash. The timeline
   * leaves archived assets out, so its day index gains that condition (see 0003: the expression
   * must stay the one the day buckets group by). An album's photos carry their capture time, so
   * that a page of a large album is a seek on one index rather than a sort of all its photos.
   */
  '0011_organise': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('assets').addColumn('favorited_at', 'text').execute();
      await db.schema.alterTable('assets').addColumn('archived_at', 'text').execute();
      await db.schema
        .alterTable('assets')
        .addColumn('rotation', 'integer', (col) =>
          col
            .notNull()
            .defaultTo(0)
            .check(sql`rotation in (0, 90, 180, 270)`),
        )
        .execute();
      await db.schema.dropIndex('assets_owner_library_day').execute();
      await sql`
        create index assets_owner_timeline_day on assets (owner_id, substr(captured_at, 1, 10))
        where deleted_at is null and archived_at is null
      `.execute(db);
      await db.schema
        .createIndex('assets_owner_favorites')
        .on('assets')
        .columns(['owner_id', 'captured_at', 'id'])
        .where(sql<boolean>`favorited_at is not null and deleted_at is null`)
        .execute();
      await db.schema
        .createIndex('assets_owner_archive')
        .on('assets')
        .columns(['owner_id', 'captured_at', 'id'])
        .where(sql<boolean>`archived_at is not null and deleted_at is null`)
        .execute();

      await db.schema
        .createTable('albums')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('owner_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
        .addColumn('cover_asset_id', 'text', (col) => col.references('assets.id').onDelete('set null'))
        .addColumn('sort_order', 'text', (col) =>
          col
            .notNull()
            .defaultTo('desc')
            .check(sql`sort_order in ('asc', 'desc')`),
        )
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('albums_owner').on('albums').columns(['owner_id', 'updated_at']).execute();
      await db.schema.createIndex('albums_cover').on('albums').column('cover_asset_id').execute();

      await db.schema
        .createTable('album_assets')
        .addColumn('album_id', 'text', (col) => col.notNull().references('albums.id').onDelete('cascade'))
        .addColumn('asset_id', 'text', (col) => col.notNull().references('assets.id').onDelete('cascade'))
        .addColumn('added_by', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('added_at', 'text', (col) => col.notNull())
        // The asset's captured_at, kept equal to it (library/albums.ts): the album's page order.
        .addColumn('captured_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('album_assets_pk', ['album_id', 'asset_id'])
        .execute();
      await db.schema
        .createIndex('album_assets_order')
        .on('album_assets')
        .columns(['album_id', 'captured_at', 'asset_id'])
        .execute();
      await sql`
        create index album_assets_day on album_assets (album_id, substr(captured_at, 1, 10))
      `.execute(db);
      await db.schema.createIndex('album_assets_asset').on('album_assets').column('asset_id').execute();
      await db.schema.createIndex('album_assets_added_by').on('album_assets').column('added_by').execute();

      await db.schema
        .createTable('album_members')
        .addColumn('album_id', 'text', (col) => col.notNull().references('albums.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('viewer', 'contributor')`))
        .addColumn('show_in_timeline', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('added_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('album_members_pk', ['album_id', 'user_id'])
        .execute();
      await db.schema.createIndex('album_members_user').on('album_members').column('user_id').execute();

      await db.schema
        .createTable('shared_links')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('owner_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('key', 'text', (col) => col.notNull().unique())
        // Null: a link to a selection of photos (shared_link_assets).
        .addColumn('album_id', 'text', (col) => col.references('albums.id').onDelete('cascade'))
        .addColumn('title', 'text', (col) => col.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('allow_download', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('show_details', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('show_place', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('view_count', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('last_used_at', 'text')
        .addColumn('created_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('shared_links_owner')
        .on('shared_links')
        .columns(['owner_id', 'created_at'])
        .execute();
      await db.schema.createIndex('shared_links_album').on('shared_links').column('album_id').execute();

      await db.schema
        .createTable('shared_link_assets')
        .addColumn('link_id', 'text', (col) =>
          col.notNull().references('shared_links.id').onDelete('cascade'),
        )
        .addColumn('asset_id', 'text', (col) => col.notNull().references('assets.id').onDelete('cascade'))
        .addColumn('captured_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('shared_link_assets_pk', ['link_id', 'asset_id'])
        .execute();
      await db.schema
        .createIndex('shared_link_assets_order')
        .on('shared_link_assets')
        .columns(['link_id', 'captured_at', 'asset_id'])
        .execute();
      await db.schema
        .createIndex('shared_link_assets_asset')
        .on('shared_link_assets')
        .column('asset_id')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['shared_link_assets', 'shared_links', 'album_members', 'album_assets', 'albums']) {
        await db.schema.dropTable(table).execute();
      }
      for (const index of ['assets_owner_archive', 'assets_owner_favorites', 'assets_owner_timeline_day']) {
        await db.schema.dropIndex(index).execute();
      }
      await sql`
        create index assets_owner_library_day on assets (owner_id, substr(captured_at, 1, 10))
        where deleted_at is null
      `.execute(db);
      for (const column of ['rotation', 'archived_at', 'favorited_at']) {
        await db.schema.alterTable('assets').dropColumn(column).execute();
      }
    },
  },
  /** Issue 15: the owner turns an account off (and on again) without deleting its photos. */
  '0012_users_disabled': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').dropColumn('disabled_at').execute();
    },
  },
  /**
   * Issue 17: whether a search may find other accounts' photos (search/scope.ts) asks, for each
   * album of the user's, whether one of its members added a photo to it: a seek on the member and
   * the album, instead of a walk over the album's photos (thousands of the owner's own).
   */
  '0013_search_scope': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('album_assets_added_by_album')
        .on('album_assets')
        .columns(['added_by', 'album_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('album_assets_added_by_album').execute();
    },
  },
  /**
   * Issue 17: a camera named by its model alone ("iphone 6" for "Apple iPhone 6") is found by its
   * normalised model on an index, as labels and makes are, instead of every camera read and its
   * model normalised on each search. The cameras indexed so far (a few dozen rows) get theirs here.
   */
  '0014_camera_model_key': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('cameras').addColumn('model_key', 'text').execute();
      await db.schema.createIndex('cameras_model_key').on('cameras').column('model_key').execute();
      const cameras = db as Kysely<{
        cameras: { id: string; model: string | null; model_key: string | null };
      }>;
      const rows = await cameras
        .selectFrom('cameras')
        .select(['id', 'model'])
        .where('model', 'is not', null)
        .execute();
      for (const row of rows) {
        await cameras
          .updateTable('cameras')
          .set({ model_key: normaliseKey(row.model ?? '') })
          .where('id', '=', row.id)
          .execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('cameras_model_key').execute();
      await db.schema.alterTable('cameras').dropColumn('model_key').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
