import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { listenForInstallPrompt } from './composables/useInstallPrompt';
import { registerServiceWorker } from './registerSW';
import { createAppRouter } from './router';
import './styles.css';

const pinia = createPinia();
const app = createApp(App);
app.use(pinia);
app.use(createAppRouter(pinia));
listenForInstallPrompt();
// Mounted in a task of its own, after the one that ran the app's modules: together they made one
// long task, which holds up input on a phone (issue 5: Lighthouse's Total Blocking Time). The
// router's first navigation is already under way meanwhile.
setTimeout(() => app.mount('#app'), 0);
// workbox-window waits for the page's load event before registering anyway, so it need not be in
// the app shell. It is loaded once the page has loaded and the browser is idle: loaded as the app
// mounted, its request went before the first screen's previews and its script ran among the
// first screen's tasks (issue 5).
const registerWhenIdle = (): void => {
  if ('requestIdleCallback' in window) window.requestIdleCallback(() => void registerServiceWorker());
  else setTimeout(() => void registerServiceWorker(), 0);
};
if (document.readyState === 'complete') registerWhenIdle();
else window.addEventListener('load', registerWhenIdle, { once: true });
