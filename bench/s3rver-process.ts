/**
 * s3rver in a process of its own for the ingest benchmark (bench/ingest.ts), so that its CPU is
 * not counted as the server's: prints its location as one line of JSON, stops on SIGTERM.
 */
import { startTestS3 } from '../src/server/storage/s3-testing.ts';

const s3 = await startTestS3();
process.stdout.write(`${JSON.stringify(s3.location)}\n`);
process.once('SIGTERM', () => {
  void s3.close().then(() => process.exit(0));
});
