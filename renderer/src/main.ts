import './zod-jitless.js';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { connect } from './api/client.js';
import { makeI18n } from './i18n/index.js';
import './style.css';

connect();
const i18n = makeI18n();
document.documentElement.lang = i18n.global.locale.value;
createApp(App).use(createPinia()).use(i18n).mount('#app');
