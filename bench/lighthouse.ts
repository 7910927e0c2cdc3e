/**
 * Issue 5 benchmark: Lighthouse (performance, accessibility, best practices) on the Backup and
 * Library screens of the built app, served by the built server on a temporary data directory,
 * signed in as the owner, with a few corpus photos in the library so Library has tiles. Runs in
 * the system Chromium (CHROME_PATH) with the mobile (default) and the desktop configuration.
 * Prints each score against the target (≥ 95) and every audit that did not pass, with its title,
 * so that it can be fixed. Needs `npm run build` first. Asserts nothing.
 *
 * The machine's load moves the performance score by ten points and more from one run to the next,
 * so SHOEBOX_LIGHTHOUSE_RUNS=5 runs each page that many times and prints the medians too;
 * SHOEBOX_LIGHTHOUSE_ONLY=/library or =mobile (comma-separated) runs only those pages or forms.
 * Each run's JSON report and its trace (for the Performance panel) are kept in a temporary folder.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import type { Config, Flags, Result } from 'lighthouse';
import { CHROME_ARGS, CHROME_PATH, removeDir, startServer } from '../tests/e2e/harness.ts';
import { api, createOwner, uploadCorpusFile, type Auth } from '../tests/server/helpers.ts';
import type { Asset, AssetPage } from '../src/shared/api.ts';

const TARGET = 95;
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const PAGES = ['/backup', '/library'];
const METRICS = [
  { id: 'first-contentful-paint', label: 'FCP' },
  { id: 'largest-contentful-paint', label: 'LCP' },
  { id: 'total-blocking-time', label: 'TBT' },
  { id: 'cumulative-layout-shift', label: 'CLS' },
  { id: 'speed-index', label: 'SI' },
];
/** Photos of the corpus put in the library, enough to fill a first screen of tiles. */
const PHOTOS = [
  'Landscape_1.jpg',
  'Portrait_2.jpg',
  'beach.jpg',
  'Canon_40D.jpg',
  'DSCN0010.jpg',
  'Nexus 4.jpg',
  'no_exif.jpg',
  'iphone_hdr_YES.jpg',
];

/** Waits until the server has made every thumbnail, so Library shows images, not pending tiles. */
async function thumbnailsMade(baseUrl: string, auth: Auth, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const page = await api<AssetPage>(baseUrl, 'GET', '/api/assets', { auth });
    const items: Asset[] = page.body.items;
    if (items.length >= count && items.every((asset) => asset.thumb.state !== 'pending')) return;
    if (Date.now() > deadline) throw new Error('The thumbnails were not made within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The median of numbers (the middle one, or the mean of the two middle ones). */
function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Performance score and metric values (ms, CLS unitless) of one run. */
function figures(result: Result): Record<string, number> {
  const values: Record<string, number> = {
    performance: Math.round((result.categories.performance?.score ?? 0) * 100),
  };
  for (const { id, label } of METRICS) values[label] = result.audits[id]?.numericValue ?? NaN;
  return values;
}

function printMedians(label: string, runs: Record<string, number>[]): void {
  const keys = Object.keys(runs[0] ?? {});
  const described = keys.map((key) => {
    const values = runs.map((run) => run[key]!);
    const shown = (value: number): string =>
      key === 'CLS' ? value.toFixed(3) : key === 'performance' ? String(value) : `${Math.round(value)}`;
    return `${key} ${shown(median(values))} [${values.map(shown).join(' ')}]`;
  });
  console.log(`${label} median of ${runs.length}: ${described.join(', ')} (ms but CLS)`);
}

function printResult(label: string, result: Result): void {
  const scores = CATEGORIES.map((id) => {
    const score = result.categories[id]?.score ?? null;
    return { id, score: score === null ? null : Math.round(score * 100) };
  });
  console.log(
    `${label}: ${scores.map(({ id, score }) => `${id} ${score ?? 'n/a'}${score !== null && score >= TARGET ? '' : ' (below target)'}`).join(', ')}`,
  );
  // The metrics behind the performance score, passing or not: the score alone hides which moved.
  console.log(
    `  metrics: ${METRICS.map(({ id, label: name }) => `${name} ${result.audits[id]?.displayValue ?? 'n/a'}`).join(', ')}`,
  );
  for (const { id } of scores) {
    const category = result.categories[id];
    if (category === undefined) continue;
    for (const ref of category.auditRefs) {
      const audit = result.audits[ref.id];
      if (audit === undefined || audit.score === null || audit.score >= 0.9) continue;
      // Performance metrics carry their value; other audits say what failed.
      const value = audit.displayValue === undefined ? '' : ` — ${audit.displayValue}`;
      console.log(`  ${id} · ${ref.id}: ${audit.title}${value} (score ${Math.round(audit.score * 100)})`);
    }
  }
}

export async function run(): Promise<void> {
  const server = await startServer();
  const chrome = await chromeLauncher.launch({
    chromePath: CHROME_PATH,
    // chrome-launcher adds its own defaults; --headless=new is Chromium's current headless mode.
    chromeFlags: [...CHROME_ARGS.filter((flag) => flag !== '--headless'), '--headless=new'],
  });
  try {
    const owner = await createOwner(server.url);
    for (const name of PHOTOS) {
      const result = await uploadCorpusFile(server.url, owner.auth, name);
      if (!result.ok) throw new Error(`Seeding ${name} failed: ${JSON.stringify(result.error)}`);
    }
    await thumbnailsMade(server.url, owner.auth, PHOTOS.length);

    const reports = await mkdtemp(join(tmpdir(), 'shoebox-lighthouse-'));
    console.log(`targets: each category ≥ ${TARGET}; ${PHOTOS.length} photos in the library`);
    // Performance is measured on this machine's CPU (scaled, for mobile): a busy machine scores low.
    console.log(
      `load average before the runs: ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}`,
    );
    console.log(`full reports (JSON, open in the Lighthouse viewer): ${reports}`);
    const forms: { name: string; config?: Config }[] = [
      { name: 'mobile' },
      { name: 'desktop', config: desktopConfig },
    ];
    const only = (process.env.SHOEBOX_LIGHTHOUSE_ONLY ?? '').split(',').filter(Boolean);
    const runs = Math.max(1, Number(process.env.SHOEBOX_LIGHTHOUSE_RUNS ?? '1'));
    // A list names pages, forms or both; where it names none of one kind, all of that kind run.
    const chosen = <T>(all: T[], name: (item: T) => string): T[] => {
      const named = all.filter((item) => only.includes(name(item)));
      return named.length === 0 ? all : named;
    };
    for (const form of chosen(forms, ({ name }) => name)) {
      for (const path of chosen(PAGES, (page) => page)) {
        const measured: Record<string, number>[] = [];
        for (let index = 0; index < runs; index += 1) {
          const flags: Flags = {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: CATEGORIES,
            extraHeaders: { Cookie: owner.auth.cookie },
          };
          const runner = await lighthouse(`${server.url}${path}`, flags, form.config);
          if (runner === undefined) throw new Error(`Lighthouse returned nothing for ${path}`);
          const { lhr, artifacts } = runner;
          if (lhr.runtimeError !== undefined) {
            throw new Error(`Lighthouse failed on ${path}: ${lhr.runtimeError.message}`);
          }
          const load = loadavg()[0]!.toFixed(1);
          printResult(
            `${path} (${form.name}, benchmark index ${lhr.environment.benchmarkIndex}, load ${load})`,
            lhr,
          );
          measured.push(figures(lhr));
          const name = `${path.slice(1)}-${form.name}-${index + 1}`;
          await writeFile(join(reports, `${name}.json`), JSON.stringify(lhr));
          await writeFile(join(reports, `${name}.trace.json`), JSON.stringify(artifacts.Trace));
        }
        if (runs > 1) printMedians(`${path} (${form.name})`, measured);
      }
    }
  } finally {
    chrome.kill();
    await server.stop();
    removeDir(server.dataDir);
  }
}
