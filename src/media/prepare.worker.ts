/**
 * A dedicated module worker of the prepare pool (src/media/pool.ts): runs prepareFile off the main
 * thread. One file at a time; the pool never posts a second request before the first is answered.
 */
import { prepareFile } from './prepare';
import type { PrepareRequest, PrepareResponse } from './prepareProtocol';

/**
 * The part of DedicatedWorkerGlobalScope used here. This folder compiles against both the DOM and
 * the WebWorker libs (the page's and the service worker's programs), and only the latter declares
 * DedicatedWorkerGlobalScope, so the shape is stated instead.
 */
interface DedicatedScope {
  postMessage(message: PrepareResponse): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<PrepareRequest>) => void): void;
}

const scope = globalThis as unknown as DedicatedScope;

async function answer({ id, input }: PrepareRequest): Promise<PrepareResponse> {
  try {
    return { id, ok: true, result: await prepareFile(input) };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return { id, ok: false, name, message };
  }
}

scope.addEventListener('message', (event) => {
  void answer(event.data).then((response) => scope.postMessage(response));
});
