/** What the drain asks before it works: the server's limits, the settings and the device. */
import { DEFAULT_LIMITS } from '../../shared/limits';
import type { Limits } from '../../shared/limits';
import { MIN_CHUNK_BYTES } from '../chunkSize';
import type { QueueDb } from '../queueDb';
import { connectionType, deviceFrom, holdOf, withDefaults } from '../settings';
import type { DeviceConditions, Hold } from '../settings';
import { isAbort } from './context';
import type { DrainContext } from './context';

export async function savedDevice(
  queue: QueueDb,
  now: () => number,
): Promise<Omit<DeviceConditions, 'online'>> {
  return deviceFrom(await queue.getSetting('device'), connectionType(), now());
}

/** Reads the settings again (the user may change them mid-drain) and says what holds uploads back. */
export async function currentHold(ctx: DrainContext): Promise<Hold | null> {
  ctx.settings = withDefaults(await ctx.queue.getSetting('backup'));
  return holdOf(ctx.settings, { online: ctx.isOnline(), ...(await ctx.device()) });
}

/**
 * The server's limits, remembered so files can be prepared offline (the defaults before the first
 * answer), and the largest tus chunk it takes (the smallest chunk when it did not say).
 */
export async function currentConfig(ctx: DrainContext): Promise<{ limits: Limits; maxChunkBytes: number }> {
  try {
    const { limits, tus } = await ctx.server.config(ctx.signal);
    await ctx.queue.setSetting('limits', limits);
    return { limits, maxChunkBytes: tus.maxChunkBytes };
  } catch (error) {
    if (isAbort(error, ctx.signal)) throw error;
    // Offline or the server is down: the last limits seen (the server checks them again anyway).
    return {
      limits: (await ctx.queue.getSetting('limits')) ?? DEFAULT_LIMITS,
      maxChunkBytes: MIN_CHUNK_BYTES,
    };
  }
}
