import type { QueueState } from './item';

/** A transition named an item that is not in the queue (removed meanwhile, or a bug). */
export class QueueItemNotFoundError extends Error {
  override readonly name = 'QueueItemNotFoundError';
  constructor(readonly id: string) {
    super(`Queue item ${id} does not exist.`);
  }
}

/** A transition was asked of an item in a state it cannot leave that way. */
export class QueueTransitionError extends Error {
  override readonly name = 'QueueTransitionError';
  constructor(
    readonly id: string,
    readonly from: QueueState,
  ) {
    super(`Queue item ${id} cannot leave ${from} that way.`);
  }
}
