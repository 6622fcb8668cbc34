// The run vocabulary: statuses and metric names, shared by the store, the queue, the services and the page.
export * from './statuses.js';
export * from './metric-names.js';
export * from './warnings.js';
