/**
 * `npm run migrate -- --to postgres://user:password@host/db`: copies this installation (the
 * SQLite database in SHOEBOX_DATA_DIR) into an empty PostgreSQL database and checks every original
 * against its SHA-256 (db/move.ts). Run it with the server stopped; run it again if it was cut
 * short. Exit status: 0 moved, 1 not moved (the reason is printed), 2 moved but some originals'
 * bytes do not match their hash (listed).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { moveInstallation } from './db/move';
import { FsBlobStore } from './storage/fs-blob-store';
import { openScratchDir } from './storage/scratch';
import { openBlobStores } from './storage/stores';

/** A line for the operator (stdout: what happened; stderr: what went wrong). */
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const USAGE = 'Usage: npm run migrate -- --to postgres://user:password@host:5432/database [--s3]';

/** The URL as it may be printed: without its password. */
function shown(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

async function main(): Promise<number> {
  let values: { to?: string; s3?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { to: { type: 'string' }, s3: { type: 'boolean' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help === true) {
    say(USAGE);
    return 0;
  }
  const to = values.to?.trim() ?? '';
  if (!/^postgres(ql)?:\/\//.test(to))
    throw new ConfigError(`--to must name a PostgreSQL database.\n${USAGE}`);
  const config = loadConfig(process.env);
  if (config.database.dialect !== 'sqlite') {
    throw new ConfigError('DATABASE_URL is set: this installation already runs on PostgreSQL.');
  }
  const s3 = values.s3 === true;
  if (s3 && config.storage.kind !== 's3') {
    throw new ConfigError(
      '--s3 copies the photos into the bucket S3_BUCKET names: set S3_BUCKET, S3_ENDPOINT and the credentials as the server will have them.',
    );
  }
  // With --s3 the photos go from the data directory into the bucket; without it they stay in
  // whichever store holds them (the data directory, or a bucket already) and are only checked.
  const stores = await openBlobStores(config);
  const scratch = s3 ? await openScratchDir(path.join(config.dataDir, 'tmp')) : null;
  try {
    say(`Moving ${config.database.file} to ${shown(to)}${s3 ? ', and the photos to S3' : ''}…`);
    const report = await moveInstallation({
      from: config.database,
      to: { dialect: 'postgres', url: to },
      blobs: s3 ? new FsBlobStore(path.join(config.dataDir, 'blobs')) : stores.originals,
      ...(scratch === null
        ? {}
        : {
            copyTo: {
              originals: stores.originals,
              thumbs: stores.thumbs,
              thumbsFrom: new FsBlobStore(path.join(config.dataDir, 'thumbs')),
              scratchDir: scratch.path,
            },
          }),
      progress: (event) => {
        if (event.kind === 'table') {
          say(`  ${event.table}: ${event.rows} rows (${event.added} added by this run)`);
        } else if (event.kind === 'skipped') {
          say(`  ${event.table}: SQLite's own search index, which PostgreSQL keeps its own way`);
        } else if (event.kind === 'blobs') {
          say(`  originals checked: ${event.checked} of ${event.total}`);
        } else if (event.kind === 'thumbs') {
          say(`  thumbnails copied and checked: ${event.copied} of ${event.total}`);
        } else {
          console.error(`  ${event.key}: its bytes hash to ${event.actual}, not to its name`);
        }
      },
    });
    if (s3) say(`  objects put into the bucket by this run: ${report.objectsCopied}`);
    if (report.corrupt.length > 0) {
      console.error(
        `${report.corrupt.length} original(s) do not match their SHA-256 (listed above): restore them from a backup.`,
      );
      return 2;
    }
  } finally {
    await scratch?.remove();
    stores.close();
  }
  say(
    `Done. Start Shoebox with DATABASE_URL=${shown(to)}${s3 ? ', the same S3_ settings' : ''} and the same SHOEBOX_DATA_DIR (${config.dataDir}).`,
  );
  return 0;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(
      `migrate: ${error instanceof Error ? error.message : String(error)}\n${error instanceof ConfigError ? '' : `Nothing is lost: run it again to carry on.\n`}`,
    );
    process.exitCode = 1;
  },
);
