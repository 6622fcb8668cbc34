// The runs domain refuses requests that do not fit a run's state (pause a queued run, resume a finished one)
// as the API's `conflict`, naming the run and its status.
import { ApiError } from '../../shared/api/errors.js';

export const conflict = (message: string, details: Record<string, unknown> = {}) => new ApiError('conflict', message, details);
