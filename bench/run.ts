/**
 * `npm run bench`: runs each benchmark module in turn. Each prints its own figures; none asserts
 * timings (they depend on the machine). `npm run bench -- prepare` runs only the named ones.
 */

export interface BenchModule {
  run: () => Promise<void>;
}

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  albums: () => import('./albums.ts'),
  cli: () => import('./cli.ts'),
  folders: () => import('./folders.ts'),
  ingest: () => import('./ingest.ts'),
  library: () => import('./library-server.ts'),
  lighthouse: () => import('./lighthouse.ts'),
  photos: () => import('./photos.ts'),
  prepare: () => import('./prepare.ts'),
  queue: () => import('./queue.ts'),
  search: () => import('./search.ts'),
  shell: () => import('./shell.ts'),
  timeline: () => import('./timeline.ts'),
  upload: () => import('./upload.ts'),
  'upload-hash': () => import('./upload-hash.ts'),
};

const wanted = process.argv.slice(2);
const names = wanted.length === 0 ? Object.keys(BENCHES) : wanted;
for (const name of names) {
  const load = BENCHES[name];
  if (load === undefined)
    throw new Error(`No benchmark named ${name}; there are: ${Object.keys(BENCHES).join(', ')}`);
  console.log(`\n=== ${name} ===`);
  await (await load()).run();
}
