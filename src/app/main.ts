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
app.mount('#app');
// workbox-window waits for the page's load event before registering anyway, so it need not be in
// the app shell: registerServiceWorker loads it once the app is mounted.
void registerServiceWorker();
