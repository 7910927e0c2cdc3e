// `npm install`'s postinstall: applies patches/ (patch-package) to the development dependencies
// they name. Today one: s3rver 3.7.1, the S3 server of the tests, gets the three multipart
// operations @tus/s3-store needs and it lacks (ListParts, AbortMultipartUpload,
// ListMultipartUploads; jamhall/s3rver#330). An install without development dependencies
// (`npm ci --omit=dev`) has neither s3rver nor patch-package, and nothing to patch.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let patchPackage;
try {
  require.resolve('s3rver/package.json');
  patchPackage = require.resolve('patch-package/index.js');
} catch {
  console.log('No development dependencies installed: nothing to patch.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [patchPackage, '--error-on-fail'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
