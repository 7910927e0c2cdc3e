import { onScopeDispose, ref } from 'vue';
import { MAP_TILES_PATH, type MapSettings, type MapSettingsRequest } from '../../shared/map';
import { requestJson } from '../../queue/http';

/**
 * The map's tiles (issue 17): whether the owner set a tile server, and then the address the map
 * asks for its tiles at: always this server, which fetches them (server/map/tiles.ts).
 */
export function useMapTiles() {
  const settings = ref<MapSettings | null>(null);
  const address = ref<string | null>(null);
  const problem = ref<string | null>(null);
  const controller = new AbortController();

  function apply(next: MapSettings): void {
    settings.value = next;
    address.value = next.tiles ? MAP_TILES_PATH : null;
  }

  async function load(): Promise<void> {
    try {
      apply(await requestJson<MapSettings>('/api/map/settings', { signal: controller.signal }));
      problem.value = null;
    } catch (error) {
      if (controller.signal.aborted) return;
      problem.value = error instanceof Error ? error.message : 'Shoebox could not read the map’s settings.';
    }
  }

  /** The owner's change; throws the server's sentence when it refuses the address. */
  async function save(tileServer: string | null): Promise<void> {
    const body: MapSettingsRequest = { address: tileServer };
    apply(await requestJson<MapSettings>('/api/map/settings', { method: 'PUT', body }));
  }

  void load();
  onScopeDispose(() => controller.abort());
  return { settings, address, problem, save };
}
