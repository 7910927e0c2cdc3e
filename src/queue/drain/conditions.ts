/** What the drain asks before it works: the server's limits, the settings and the device. */
import { DEFAULT_LIMITS } from '../../shared/limits';
import type { Limits } from '../../shared/limits';
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

/** The server's limits, remembered so files can be prepared offline; the defaults before the first answer. */
export async function currentLimits(ctx: DrainContext): Promise<Limits> {
  try {
    const { limits } = await ctx.server.config(ctx.signal);
    await ctx.queue.setSetting('limits', limits);
    return limits;
  } catch (error) {
    if (isAbort(error, ctx.signal)) throw error;
    // Offline or the server is down: the last limits seen (the server checks them again anyway).
    return (await ctx.queue.getSetting('limits')) ?? DEFAULT_LIMITS;
  }
}
