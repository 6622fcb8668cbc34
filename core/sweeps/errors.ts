// A sweep spec that cannot run: every problem found, each naming the field and the value (`parameters[1].max …`).
// The services turn it into the API's invalid_input (fields under `spec.`), the CLI prints one line each.
import type { SpecError } from '../../shared/index.js';

export class SweepSpecError extends Error {
  constructor(readonly errors: SpecError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'SweepSpecError';
  }
}
