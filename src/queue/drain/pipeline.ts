/**
 * The drain as a pipeline (issue 19): preparing, the duplicate check and uploading run at the
 * same time as stages, with a bounded look-ahead, instead of one phase after another. Preparers
 * claim queued items in upload order while fewer than `lookahead` of their items wait for the
 * uploader; the checker asks the server about whatever has piled up when the uploader is about to
 * run short; uploaders take the first item in upload order, and up to `uploadLanes - 1` more
 * small ones at the same time. So the first upload starts as soon as one file is prepared, and the
 * total approaches the slower of preparing and uploading, not their sum. Storage-free: the stages
 * are ports (stages.ts binds them to the queue), so the order and overlap are tested with a clock.
 */

/**
 * The stages: P is a claimed (preparing) item, T a prepared one, S why a stage stops the pipeline
 * (the drain's DrainStop values).
 */
export interface PipelinePorts<P, T extends { id: string }, S extends string> {
  /** Claims the next queued item in upload order (it becomes `preparing`); null when none is left. */
  claimNext: () => Promise<P | null>;
  /** Whether files are still being added: then a preparer that found nothing waits for them. */
  moreComing: () => boolean;
  /** Resolves when more files were added (or adding ended). */
  nextAdded: () => Promise<void>;
  /** Prepares a claimed item: the ready item, null when it settled otherwise (skipped), or a stop. */
  prepare: (item: P) => Promise<T | null | S>;
  /** Items already ready when the drain began, in upload order, `count` at a time; [] when no more. */
  readyPage: (count: number) => Promise<T[]>;
  /** Asks the server which items it already has (they settle as done): those left to upload, or a stop. */
  check: (items: T[]) => Promise<T[] | S>;
  /** Asked before each upload starts: a stop (a deadline, a hold) ends the pipeline instead. */
  beforeUpload: () => Promise<S | null>;
  upload: (item: T) => Promise<S | null>;
  /** The upload order (DESIGN §4). */
  order: (a: T, b: T) => number;
  /** Small enough to go up beside another upload (lanes after the first take only these). */
  isSmall: (item: T) => boolean;
}

export interface PipelineOptions {
  /** Files prepared at once (a worker pool's size). */
  prepareLanes: number;
  /** Uploads at once: the first lane takes any item, the others small ones only. */
  uploadLanes: number;
  /** Prepared items waiting for the uploader, preparing ones included, at most. */
  lookahead: number;
  /** Items per duplicate check at most (the server's CHECK_BATCH_MAX). */
  checkBatch: number;
  /** False while uploads are held (offline, Wi-Fi only…): then everything queued is prepared, nothing more. */
  uploads: boolean;
}

/** Wakes every waiter whenever anything changed; each then looks again at what it waits for. */
class Changes {
  private waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Inserts `item` into the sorted `list`, after any equal. */
function insertSorted<T>(list: T[], item: T, order: (a: T, b: T) => number): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (order(list[mid] as T, item) <= 0) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, item);
}

/** Runs the stages until nothing is left (null) or a stage stops them (its reason). */
export async function runPipeline<P, T extends { id: string }, S extends string>(
  ports: PipelinePorts<P, T, S>,
  options: PipelineOptions,
): Promise<S | null> {
  const changes = new Changes();
  /** Set once anything stops the pipeline: every stage then finishes what it runs and ends. */
  let halted = false;
  let stop: S | null = null;
  let failure: { error: unknown } | null = null;
  /** Unchecked items, and the checked ones waiting for an uploader (sorted by upload order). */
  const toCheck: T[] = [];
  const toUpload: T[] = [];
  /** Items handed to the pipeline this run, so a page of ready items never brings one twice. */
  const seen = new Set<string>();
  /** This run's prepared items not yet uploading, for the look-ahead. */
  const fresh = new Set<string>();
  let preparing = 0;
  let activePreparers = options.prepareLanes;
  let checking = 0;
  let pagerDone = !options.uploads;
  /** Paged items not yet uploading: the pager reads the next page when few are left. */
  let paged = 0;

  const halt = (reason: S | null): void => {
    if (!halted) stop = reason;
    halted = true;
    changes.notify();
  };
  const inputDone = (): boolean =>
    activePreparers === 0 && pagerDone && toCheck.length === 0 && checking === 0;

  async function preparer(): Promise<void> {
    try {
      for (;;) {
        if (halted) return;
        if (options.uploads && preparing + fresh.size >= options.lookahead) {
          await changes.wait();
          continue;
        }
        preparing += 1;
        const claimed = await ports.claimNext();
        if (claimed === null) {
          preparing -= 1;
          if (!ports.moreComing()) return;
          // Files are still being added (the drain starts on the first batch): wait for the next.
          await Promise.race([ports.nextAdded(), changes.wait()]);
          continue;
        }
        const result = await ports.prepare(claimed);
        preparing -= 1;
        if (typeof result === 'string') {
          halt(result);
          return;
        }
        if (result !== null && options.uploads) {
          seen.add(result.id);
          fresh.add(result.id);
          toCheck.push(result);
        }
        changes.notify();
      }
    } finally {
      activePreparers -= 1;
      changes.notify();
    }
  }

  async function pager(): Promise<void> {
    const low = Math.max(2, options.uploadLanes * 2);
    while (!pagerDone && !halted) {
      if (paged >= low) {
        await changes.wait();
        continue;
      }
      const page = await ports.readyPage(options.checkBatch);
      if (page.length === 0) pagerDone = true;
      for (const item of page) {
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        toCheck.push(item);
        paged += 1;
      }
      changes.notify();
    }
  }

  async function checker(): Promise<void> {
    while (!halted) {
      const starving = toUpload.length <= options.uploadLanes;
      if (toCheck.length > 0 && (starving || toCheck.length >= options.checkBatch || inputDone())) {
        const batch = toCheck.splice(0, options.checkBatch);
        checking = batch.length;
        const result = await ports.check(batch);
        checking = 0;
        if (typeof result === 'string') {
          halt(result);
          return;
        }
        const kept = new Set(result.map((item) => item.id));
        for (const item of batch) {
          if (kept.has(item.id)) insertSorted(toUpload, item, ports.order);
          else leave(item);
        }
        changes.notify();
        continue;
      }
      if (inputDone()) return;
      await changes.wait();
    }
  }

  /** An item no longer waits in the pipeline (uploading now, or settled by the check). */
  function leave(item: T): void {
    if (fresh.delete(item.id)) return;
    paged -= 1;
  }

  async function uploader(lane: number): Promise<void> {
    while (!halted) {
      const at = lane === 0 ? (toUpload.length > 0 ? 0 : -1) : toUpload.findIndex(ports.isSmall);
      if (at < 0) {
        if (inputDone()) return;
        await changes.wait();
        continue;
      }
      const [item] = toUpload.splice(at, 1) as [T];
      leave(item);
      changes.notify();
      const held = await ports.beforeUpload();
      if (held !== null) {
        halt(held);
        return;
      }
      const result = await ports.upload(item);
      if (result !== null) halt(result);
      changes.notify();
    }
  }

  const guard = (lane: Promise<void>): Promise<void> =>
    lane.catch((error: unknown) => {
      failure ??= { error };
      halt(null);
    });
  const lanes = Array.from({ length: options.prepareLanes }, () => guard(preparer()));
  if (options.uploads) {
    lanes.push(guard(pager()), guard(checker()));
    for (let lane = 0; lane < options.uploadLanes; lane++) lanes.push(guard(uploader(lane)));
  }
  await Promise.all(lanes);
  if (failure !== null) throw (failure as { error: unknown }).error;
  return stop;
}
