// The contract suite against the services in-process and through the browser host over real HTTP.
import { beforeAll } from 'vitest';
import { ensureBuilt } from '../support/build.js';
import { runContractSuite } from './contract-suite.js';
import { openHttpClient, openTestServices } from './support.js';

beforeAll(() => ensureBuilt());

runContractSuite('services, in-process', async () => {
  const test = openTestServices();
  return { api: test.services.api, events: test.services.events.asEvents(), close: test.close };
});

runContractSuite('browser host, HTTP + Server-Sent Events', openHttpClient);
