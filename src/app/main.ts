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
registerServiceWorker();
