// Numerical parity across backends (issue 9): every layer, block, loss and gradient trick on real digits, each
// backend against cpu (and cpu against float64), plus trajectory parity of short training runs.
export { PARITY_CASES, type ParityCase } from './cases.js';
export { maxAbs, PARITY_BOUND, referenceNet64, relError } from './compare.js';
export { breaches, formatTable, parityDigits, runParity, type ParityOptions, type ParityRow, type TensorError } from './run.js';
export { formatTrajectory, runTrajectory, TRAJECTORY_TOLERANCE, type TrajectoryOptions, type TrajectoryReport } from './trajectory.js';
