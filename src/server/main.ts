import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { closeHeifDecoder } from './imaging';

/** How long in-flight requests get to finish on SIGTERM before the process gives up. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Everything the server creates (the database and its journal, uploads, originals, thumbnails,
 * scratch files) is its own alone: files 0600, folders 0700, whichever code or native library
 * creates them (issue 18, finding 9: they were 0644 and 0755, readable by every local user).
 */
const PRIVATE_UMASK = 0o077;

async function main(): Promise<void> {
  process.umask(PRIVATE_UMASK);
  const config = loadConfig(process.env);
  const app = await buildApp(config);
  // The system's temporary folder is this process's scratch directory, which a successor on
  // this host clears should the process die: @tus/s3-store 2.0.7 writes each part it is sending
  // into os.tmpdir(), with no option to name another (`directory: os.tmpdir()` in its
  // uploadParts), and a process killed mid-part left the file in /tmp for good.
  process.env.TMPDIR = app.scratchDir;

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    try {
      await app.close();
      await closeHeifDecoder();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (received) => void shutdown(received));
  }

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw error;
  }
}

main().catch((error: unknown) => {
  // No logger exists yet when the configuration or the database cannot be opened.
  process.stderr.write(`shoebox: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  if (!(error instanceof ConfigError) && error instanceof Error && error.stack !== undefined) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = 1;
});
