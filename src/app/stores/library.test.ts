import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Asset, AssetBuckets, AssetDetails, AssetPage } from '../../shared/api';
import * as api from '../libraryApi';
import { useLibraryStore } from './library';

vi.mock('../libraryApi', () => ({
  getBuckets: vi.fn(),
  getAssetDetails: vi.fn(),
  listAssetPage: vi.fn(),
}));

function asset(id: string, capturedAt: string): Asset {
  return {
    id,
    filename: `${id}.jpg`,
    mimeType: 'image/jpeg',
    bytes: 1,
    sha256: id,
    sourceSha256: id,
    capturedAt,
    capturedOffsetMinutes: null,
    uploadedAt: capturedAt,
    width: 1,
    height: 1,
    durationSeconds: null,
    thumb: { state: 'pending' },
    deletedAt: null,
  };
}

const oldest = asset('a-old', '2020-01-01T10:00:00');
const buckets: AssetBuckets = {
  days: [
    { day: '2024-05-02', count: 1 },
    { day: '2020-01-01', count: 1 },
  ],
  total: 2,
};

describe('library store: locate', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.mocked(api.getBuckets).mockResolvedValue(buckets);
    vi.mocked(api.getAssetDetails).mockResolvedValue({ ...oldest } as AssetDetails);
  });

  it('finds an asset far down the timeline by loading its day', async () => {
    vi.mocked(api.listAssetPage).mockResolvedValue({ items: [oldest], nextCursor: null });
    const library = useLibraryStore();
    await library.load();
    await expect(library.locate('a-old')).resolves.toBe(1);
    expect(library.slots[1]?.id).toBe('a-old');
  });

  it('starts over instead of calling the asset missing when the library reloads meanwhile', async () => {
    const library = useLibraryStore();
    await library.load();
    let answerPage: (page: AssetPage) => void = () => undefined;
    vi.mocked(api.listAssetPage)
      .mockImplementationOnce(() => new Promise<AssetPage>((resolve) => (answerPage = resolve)))
      .mockResolvedValue({ items: [oldest], nextCursor: null });
    const located = library.locate('a-old');
    await vi.waitFor(() => expect(api.listAssetPage).toHaveBeenCalledTimes(1));
    // A drain ends and the timeline reloads while the first page is on its way.
    const reload = library.load();
    answerPage({ items: [oldest], nextCursor: null });
    await reload;
    await expect(located).resolves.toBe(1);
  });

  it('says null for an asset in the trash', async () => {
    vi.mocked(api.getAssetDetails).mockResolvedValue({
      ...oldest,
      deletedAt: '2024-06-01T00:00:00Z',
    } as AssetDetails);
    const library = useLibraryStore();
    await library.load();
    await expect(library.locate('a-old')).resolves.toBeNull();
  });
});
