// The typed API between the page and the Node side (see contract.ts).
export * from './contract.js';
export * from './validate.js';
export * from './events.js';
export * from './client.js';
export * from './base64.js';
