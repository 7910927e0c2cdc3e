import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router';
import './styles.css';

const pinia = createPinia();
const app = createApp(App);
app.use(pinia);
app.use(createAppRouter(pinia));
app.mount('#app');
// workbox-window waits for the page's load event before registering anyway, so it need not be in
// the app shell: it is loaded once the app is mounted.
void import('./registerSW').then(({ registerServiceWorker }) => registerServiceWorker());
