// How long a test waits for a child process, a trainer or a page before it calls the wait a hang. These are hang
// guards, not speed budgets (speed lives in `npm run bench`): each is many times what the wait takes on a quiet
// 2-core machine, so a 3× slower, busy CI machine still passes, and a real hang still fails instead of stalling CI.
export const HANG_MS = 600_000;
