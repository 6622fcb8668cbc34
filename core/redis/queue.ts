// The BullMQ queue both ends use, and its lock and stall settings (the workers apply them; the studio reads them to
// explain a run that failed after its workers kept dying).
//
// A worker's own event loop never trains (trainers are child processes), so BullMQ's lock renewal (every
// lockDuration / 2) is never starved by a long batch, and the lock can be short. 10 s rides out a few seconds of
// network trouble or a garbage-collection pause; a worker that dies (SIGKILL, power, a cable) is noticed by any other
// worker's stalled check within about LOCK_DURATION_MS + STALLED_INTERVAL_MS ≈ 15 s, and another worker continues the
// run from its last checkpoint (at most one epoch is trained again). A job may be recovered MAX_STALLS times; a run
// that keeps killing its workers then fails, saying so, instead of cycling for ever.
export const BULL_PREFIX = 'layerwise';
export const QUEUE_NAME = 'runs';
export const LOCK_DURATION_MS = 10_000;
export const STALLED_INTERVAL_MS = 5_000;
export const MAX_STALLS = 3;
