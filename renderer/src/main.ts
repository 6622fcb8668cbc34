import './zod-jitless.js';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import LessonList from './components/lessons/LessonList.vue';
import ProjectList from './components/ProjectList.vue';
import ProjectView from './components/ProjectView.vue';
import { connect } from './api/client.js';
import { makeI18n } from './i18n/index.js';
import { createStudioRouter } from './router/index.js';
import { installRouter } from './stores/nav.js';
import './style.css';

// The token is read from `?token=` (and kept per tab) before the router looks at the address.
connect();
const i18n = makeI18n();
document.documentElement.lang = i18n.global.locale.value;
// An address typed as a path (`/projects/3/runs/12`, served the page by the browser host) means the same view.
if (/^\/(projects|lessons)(\/|$)/.test(location.pathname) && !location.hash) {
  history.replaceState(history.state, '', `/${location.search}#${location.pathname}`);
}
const router = createStudioRouter({ ProjectList, LessonList, ProjectView });
installRouter(router);
createApp(App).use(createPinia()).use(router).use(i18n).mount('#app');
