import './zod-jitless.js';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { connect } from './api/client.js';
import { makeI18n } from './i18n/index.js';
import { createStudioRouter } from './router/index.js';
import { installRouter } from './stores/nav.js';
import './style.css';

// The token is read from `?token=` (and kept per tab) before the router looks at the address.
connect();
const i18n = makeI18n();
document.documentElement.lang = i18n.global.locale.value;
const router = createStudioRouter();
installRouter(router);
createApp(App).use(createPinia()).use(router).use(i18n).mount('#app');
