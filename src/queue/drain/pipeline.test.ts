/** The pipeline's order and overlap, with stages that take time on a fake clock. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPipeline } from './pipeline';
import type { PipelineOptions, PipelinePorts } from './pipeline';

/** The one stop these stages make. */
type StageStop = 'transient';

interface Item {
  id: string;
  size: number;
}

interface Timings {
  prepareMs: number;
  checkMs: number;
  uploadMs: (item: Item) => number;
}

type Event = { at: number; what: 'prepared' | 'checked' | 'upload-start' | 'upload-end'; id: string };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** In-memory stages: queued items by size, each stage taking its time on the fake clock. */
function fakeStages(
  queued: Item[],
  timings: Timings,
  options: { ready?: Item[]; duplicates?: Set<string>; failOn?: string } = {},
) {
  const start = Date.now();
  const events: Event[] = [];
  const log = (what: Event['what'], id: string): void => {
    events.push({ at: Date.now() - start, what, id });
  };
  const waiting = [...queued].sort((a, b) => a.size - b.size);
  const ready = [...(options.ready ?? [])].sort((a, b) => a.size - b.size);
  let preparing = 0;
  let mostPreparing = 0;
  const stages: PipelinePorts<Item, Item, StageStop> = {
    claimNext: () => Promise.resolve(waiting.shift() ?? null),
    moreComing: () => false,
    nextAdded: () => Promise.resolve(),
    async prepare(item) {
      preparing += 1;
      mostPreparing = Math.max(mostPreparing, preparing);
      await sleep(timings.prepareMs);
      preparing -= 1;
      log('prepared', item.id);
      return item;
    },
    readyPage: (count) => Promise.resolve(ready.splice(0, count)),
    async check(items) {
      await sleep(timings.checkMs);
      for (const item of items) log('checked', item.id);
      return items.filter((item) => !(options.duplicates?.has(item.id) ?? false));
    },
    beforeUpload: () => Promise.resolve(null),
    async upload(item): Promise<StageStop | null> {
      log('upload-start', item.id);
      await sleep(timings.uploadMs(item));
      log('upload-end', item.id);
      return item.id === options.failOn ? 'transient' : null;
    },
    order: (a, b) => a.size - b.size,
    isSmall: (item) => item.size < 1_000,
  };
  const add = (more: Item[]): void => {
    waiting.push(...more);
    waiting.sort((a, b) => a.size - b.size);
  };
  return { stages, events, add, mostPreparing: () => mostPreparing };
}

const OPTIONS: PipelineOptions = {
  prepareLanes: 2,
  uploadLanes: 1,
  lookahead: 4,
  checkBatch: 500,
  uploads: true,
};

const items = (count: number, size = (at: number) => at + 1): Item[] =>
  Array.from({ length: count }, (_, at) => ({ id: `item-${String(at).padStart(3, '0')}`, size: size(at) }));

async function run(
  stages: PipelinePorts<Item, Item, StageStop>,
  options: Partial<PipelineOptions> = {},
): Promise<{ stop: StageStop | null; ms: number }> {
  const start = Date.now();
  const result = runPipeline(stages, { ...OPTIONS, ...options });
  await vi.runAllTimersAsync();
  return { stop: await result, ms: Date.now() - start };
}

const times = (events: Event[], what: Event['what']): number[] =>
  events.filter((event) => event.what === what).map((event) => event.at);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('pipeline', () => {
  it('starts the first upload once one file is prepared and checked, not after all of them', async () => {
    const { stages, events } = fakeStages(items(100), { prepareMs: 100, checkMs: 20, uploadMs: () => 40 });
    const { stop, ms } = await run(stages);

    expect(stop).toBeNull();
    const [firstUpload] = times(events, 'upload-start');
    expect(firstUpload).toBe(120);
    // Preparing (100 files, two at a time: 5 s) is the slower stage; uploading (4 s) overlaps it.
    expect(ms).toBeLessThan(5_000 * 1.1);
    expect(times(events, 'upload-end')).toHaveLength(100);
  });

  it('keeps to the look-ahead: preparing waits for the uploader', async () => {
    const { stages, events } = fakeStages(items(30), { prepareMs: 10, checkMs: 5, uploadMs: () => 200 });
    await run(stages);

    // At any moment, at most `lookahead` files are prepared (or being prepared) and not yet uploading.
    for (const event of events) {
      const prepared = events.filter((e) => e.what === 'prepared' && e.at <= event.at).length;
      const started = events.filter((e) => e.what === 'upload-start' && e.at <= event.at).length;
      expect(prepared - started).toBeLessThanOrEqual(OPTIONS.lookahead);
    }
    // The last file is prepared near the end, not in the first few hundred milliseconds.
    expect(Math.max(...times(events, 'prepared'))).toBeGreaterThan(25 * 200);
  });

  it('uploads in upload order, whether prepared now or ready from before', async () => {
    const ready = [
      { id: 'ready-5', size: 5 },
      { id: 'ready-50', size: 50 },
    ];
    const { stages, events } = fakeStages(
      items(8, (at) => at * 10 + 1),
      { prepareMs: 1, checkMs: 1, uploadMs: () => 5 },
      { ready },
    );
    await run(stages);
    const order = events.filter((event) => event.what === 'upload-start').map((event) => event.id);
    // ready-5 goes first: it needs no preparing, and the uploader never idles for a smaller file.
    expect(order).toEqual([
      'ready-5',
      'item-000',
      'item-001',
      'item-002',
      'item-003',
      'item-004',
      'ready-50',
      'item-005',
      'item-006',
      'item-007',
    ]);
  });

  it('checks what piled up in one request, and uploads none the library already has', async () => {
    const ready = items(40).map((item) => ({ ...item, id: `r${item.id}` }));
    const duplicates = new Set(ready.filter((_, at) => at % 2 === 0).map((item) => item.id));
    const { stages, events } = fakeStages(
      [],
      { prepareMs: 1, checkMs: 50, uploadMs: () => 10 },
      { ready, duplicates },
    );
    await run(stages);
    const checkedAt = new Set(times(events, 'checked'));
    expect(checkedAt.size).toBe(1);
    expect(events.filter((event) => event.what === 'upload-start').map((event) => event.id)).toEqual(
      ready.filter((item) => !duplicates.has(item.id)).map((item) => item.id),
    );
  });

  it('sends small files beside each other in the extra lanes, and a large one in the first only', async () => {
    const queued = [...items(6), { id: 'large', size: 5_000 }];
    const { stages, events } = fakeStages(queued, {
      prepareMs: 1,
      checkMs: 1,
      uploadMs: (item) => item.size,
    });
    await run(stages, { uploadLanes: 3, lookahead: 10 });
    let running = 0;
    let most = 0;
    for (const event of [...events].sort((a, b) => a.at - b.at || (a.what === 'upload-end' ? -1 : 1))) {
      if (event.what === 'upload-start') most = Math.max(most, ++running);
      if (event.what === 'upload-end') running -= 1;
    }
    expect(most).toBe(3);
    const large = events.find((event) => event.what === 'upload-start' && event.id === 'large');
    // The large file goes last (upload order), and only once the first lane is free.
    expect(large?.at).toBeGreaterThanOrEqual(
      Math.max(...times(events, 'upload-start').filter((at) => at !== large?.at)),
    );
  });

  it('stops starting work when a stage stops it, finishing what runs', async () => {
    const { stages, events } = fakeStages(
      items(20),
      { prepareMs: 10, checkMs: 1, uploadMs: () => 30 },
      { failOn: 'item-002' },
    );
    const { stop } = await run(stages);
    expect(stop).toBe('transient');
    expect(events.filter((event) => event.what === 'upload-start').map((event) => event.id)).toEqual([
      'item-000',
      'item-001',
      'item-002',
    ]);
    expect(times(events, 'prepared').length).toBeLessThan(20);
  });

  it('prepares everything, with no look-ahead, while uploads are held', async () => {
    const { stages, events, mostPreparing } = fakeStages(items(30), {
      prepareMs: 10,
      checkMs: 1,
      uploadMs: () => 1,
    });
    const { stop, ms } = await run(stages, { uploads: false });
    expect(stop).toBeNull();
    expect(times(events, 'prepared')).toHaveLength(30);
    expect(times(events, 'checked')).toHaveLength(0);
    expect(mostPreparing()).toBe(2);
    expect(ms).toBe(150);
  });

  it('waits for files still being added instead of ending', async () => {
    const { stages, events, add } = fakeStages(items(2), { prepareMs: 10, checkMs: 1, uploadMs: () => 10 });
    let adding = true;
    let added: () => void = () => undefined;
    const withAdds: PipelinePorts<Item, Item, StageStop> = {
      ...stages,
      moreComing: () => adding,
      nextAdded: () => new Promise((resolve) => (added = resolve)),
    };
    let ended = false;
    const result = runPipeline(withAdds, OPTIONS).then((stop) => {
      ended = true;
      return stop;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(times(events, 'upload-end')).toHaveLength(2);
    expect(ended).toBe(false);

    add(items(3).map((item) => ({ ...item, id: `late-${item.id}` })));
    added();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(times(events, 'upload-end')).toHaveLength(5);
    expect(ended).toBe(false);

    adding = false;
    added();
    await vi.runAllTimersAsync();
    expect(await result).toBeNull();
  });
});
