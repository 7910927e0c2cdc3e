import { QUEUE_CHANNEL } from '../src/queue/channel.ts';
import type { Page } from '../tests/e2e/harness.ts';

/**
 * Times a drain of the whole queue in the page: `start` sets it off (a message to the service
 * worker, going online…), and the time runs from the first notice on the queue channel that finds
 * an item uploading to the one that finds every item done. Items are read from IndexedDB only when
 * the channel says something changed, rather than polled, so that measuring adds next to no work
 * to the uploads it measures. Rejects when an item ends skipped, failed or blocked. Also answers
 * how many bytes the server had already confirmed when the time started (`confirmedAtStart`),
 * which a caller checks: a drain that began before the page saw it would otherwise be timed short.
 */
export async function timeDrain(
  page: Page,
  timeoutMs: number,
  start: () => Promise<unknown>,
): Promise<{ uploadStarted: number; uploadDone: number; confirmedAtStart: number }> {
  const timing = page.evaluate(
    ({ timeoutMs, channelName }) =>
      new Promise<{ uploadStarted: number; uploadDone: number; confirmedAtStart: number }>(
        (resolve, reject) => {
          const channel = new BroadcastChannel(channelName);
          let uploadStarted: number | null = null;
          let confirmedAtStart = 0;
          let reading = false;
          let readAgain = false;
          const timer = setTimeout(() => {
            channel.close();
            reject(new Error(`The uploads did not finish within ${timeoutMs} ms`));
          }, timeoutMs);
          // In an array, the arrow is not given a name through tsx's helper, which the page lacks.
          const [check] = [
            async (): Promise<void> => {
              if (reading) {
                readAgain = true;
                return;
              }
              reading = true;
              const noticed = performance.now();
              const items = await new Promise<{ state: string; upload: { offset: number } | null }[]>(
                (resolveItems, rejectItems) => {
                  const open = indexedDB.open('shoebox');
                  open.onerror = () => rejectItems(open.error ?? new Error('indexedDB.open failed'));
                  open.onsuccess = () => {
                    const request = open.result.transaction('items').objectStore('items').getAll();
                    request.onsuccess = () => {
                      open.result.close();
                      resolveItems(request.result as { state: string; upload: { offset: number } | null }[]);
                    };
                    request.onerror = () => rejectItems(request.error ?? new Error('getAll failed'));
                  };
                },
              );
              reading = false;
              if (uploadStarted === null && items.some((item) => item.state === 'uploading')) {
                uploadStarted = noticed;
                confirmedAtStart = items.reduce((sum, item) => sum + (item.upload?.offset ?? 0), 0);
              }
              const ended = items.find((item) => ['skipped', 'failed', 'blocked'].includes(item.state));
              if (items.length === 0 || ended !== undefined) {
                clearTimeout(timer);
                channel.close();
                reject(new Error(`An item ended ${ended?.state ?? 'missing'}: ${JSON.stringify(ended)}`));
                return;
              }
              if (uploadStarted !== null && items.every((item) => item.state === 'done')) {
                clearTimeout(timer);
                channel.close();
                resolve({ uploadStarted, uploadDone: noticed, confirmedAtStart });
                return;
              }
              if (readAgain) {
                readAgain = false;
                await check?.();
              }
            },
          ];
          channel.onmessage = () => void check?.();
        },
      ),
    { timeoutMs, channelName: QUEUE_CHANNEL },
  );
  // The page listens before the drain is set off, so that no notice is missed.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  await start();
  return timing;
}
