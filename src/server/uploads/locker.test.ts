import { MemoryLocker } from '@tus/server';
import { describeLockerContract } from './locker.contract';

// The locker tus-server.ts gives @tus/server in one process.
describeLockerContract('MemoryLocker', (timeoutMs) =>
  Promise.resolve({
    locker: new MemoryLocker({ acquireLockTimeout: timeoutMs }),
    close: () => Promise.resolve(),
  }),
);
