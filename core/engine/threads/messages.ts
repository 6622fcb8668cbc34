// What a training thread tells its owner (the only messages in the pool: steps are signalled through shared memory).
export type ThreadMessage = { type: 'ready'; thread: number } | { type: 'failed'; thread: number; message: string };
