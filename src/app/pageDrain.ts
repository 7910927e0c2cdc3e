/**
 * What the page needs only once a drain starts: the drain itself and the prepare pool, with
 * tus-js-client behind them (hash-wasm, exifr and browser-image-compression are in the pool's
 * workers, not here). The queue store loads this module with a dynamic import, so the app shell
 * (the Backup screen's first paint) does not carry them; the service worker precaches the chunk,
 * so a drain offline loads it too.
 */
export { drain } from '../queue/drain/drain';
export { pagePreparer } from './preparer';
