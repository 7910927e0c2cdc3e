import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newUploadId, uploadOwner } from './upload-id';

describe('upload ids', () => {
  it('carry their owner', () => {
    const owner = randomUUID();
    const id = newUploadId(owner);
    expect(id).not.toContain('/');
    expect(uploadOwner(id)).toBe(owner);
    expect(newUploadId(owner)).not.toBe(id);
  });

  it.each(['', 'abc', `${randomUUID()}_short`, `../${randomUUID()}_${'0'.repeat(32)}`])(
    'rejects %j',
    (id) => {
      expect(uploadOwner(id)).toBeNull();
    },
  );
});
