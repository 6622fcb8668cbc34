// Scale-out over Redis, the part both ends share: the user's Redis URL (checked, shown redacted), connections,
// every key name, chunked bytes (checkpoints, dataset files) and the ownership fence of a job's reports. The studio's
// side (a BullMQ producer, core/runs/executors/) and the workers (core/worker/) build on it; it knows neither.
export * from './url.js';
export * from './connection.js';
export * from './keys.js';
export * from './queue.js';
export * from './blobs.js';
export * from './fence.js';
