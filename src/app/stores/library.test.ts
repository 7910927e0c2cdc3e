import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Asset, AssetBuckets, AssetDetails, AssetPage } from '../../shared/api';
import * as api from '../libraryApi';
import type { PageQuery } from '../libraryApi';
import { useLibraryStore } from './library';

vi.mock('../libraryApi', () => ({
  FIRST_PAGE: { limit: 100 },
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
    ownerId: 'owner',
    favorite: false,
    archived: false,
    rotation: 0,
  };
}

const oldest = asset('a-old', '2020-01-01T10:00:00');
/** A day of 149 photos above the oldest one: the first page (100) stops well before it. */
const recent = Array.from({ length: 149 }, (_, i) => asset(`a-${i}`, '2024-05-02T10:00:00'));
const buckets: AssetBuckets = {
  days: [
    { day: '2024-05-02', count: 149 },
    { day: '2020-01-01', count: 1 },
  ],
  total: 150,
};

/** The server's pages: the newest first, or the page of a day. */
function page(query: PageQuery): Promise<AssetPage> {
  if (query.from === '2020-01-01') return Promise.resolve({ items: [oldest], nextCursor: null });
  return Promise.resolve({ items: recent.slice(0, query.limit ?? 100), nextCursor: 'after-100' });
}

describe('library store: first load', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.mocked(api.listAssetPage).mockReset().mockImplementation(page);
    vi.mocked(api.getBuckets).mockReset();
  });

  it('asks for the newest page together with the buckets, and fills the first screen from it', async () => {
    let answerBuckets: (value: AssetBuckets) => void = () => undefined;
    vi.mocked(api.getBuckets).mockReturnValue(new Promise((resolve) => (answerBuckets = resolve)));
    const library = useLibraryStore();
    const loading = library.load();
    // Asked before the buckets answered.
    expect(api.listAssetPage).toHaveBeenCalledWith({ limit: 100 }, expect.any(AbortSignal));
    answerBuckets(buckets);
    await loading;
    expect(library.total).toBe(150);
    expect(library.slots.slice(0, 100).map((asset) => asset?.id)).toEqual(
      recent.slice(0, 100).map((asset) => asset.id),
    );
    expect(library.slots[100]).toBeUndefined();
    // The rest continues from that page's cursor, not from the start again.
    library.ensureRange(0, 150);
    await vi.waitFor(() => expect(api.listAssetPage).toHaveBeenCalledTimes(2));
    expect(vi.mocked(api.listAssetPage).mock.calls[1]?.[0]).toEqual({ cursor: 'after-100', limit: 100 });
  });

  it('asks for the first page once: a reload reads the buckets only', async () => {
    vi.mocked(api.getBuckets).mockResolvedValue(buckets);
    const library = useLibraryStore();
    await library.load();
    await library.load();
    expect(api.getBuckets).toHaveBeenCalledTimes(2);
    expect(api.listAssetPage).toHaveBeenCalledTimes(1);
  });
});

describe('library store: locate', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.mocked(api.getBuckets).mockResolvedValue(buckets);
    vi.mocked(api.getAssetDetails).mockResolvedValue({ ...oldest } as AssetDetails);
    vi.mocked(api.listAssetPage).mockReset().mockImplementation(page);
  });

  it('finds an asset far down the timeline by loading its day', async () => {
    const library = useLibraryStore();
    await library.load();
    expect(library.indexOf('a-old')).toBe(-1);
    await expect(library.locate('a-old')).resolves.toBe(149);
    expect(library.slots[149]?.id).toBe('a-old');
  });

  it('starts over instead of calling the asset missing when the library reloads meanwhile', async () => {
    const library = useLibraryStore();
    await library.load();
    const before = vi.mocked(api.listAssetPage).mock.calls.length;
    let answerPage: (page: AssetPage) => void = () => undefined;
    vi.mocked(api.listAssetPage).mockImplementationOnce(
      () => new Promise<AssetPage>((resolve) => (answerPage = resolve)),
    );
    const located = library.locate('a-old');
    await vi.waitFor(() => expect(api.listAssetPage).toHaveBeenCalledTimes(before + 1));
    // A drain ends and the timeline reloads while the first page is on its way.
    const reload = library.load();
    answerPage({ items: [oldest], nextCursor: null });
    await reload;
    await expect(located).resolves.toBe(149);
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
