// An ensemble trains K members from different seeds (initial weights and batch order); the loop averages
// their predicted probabilities wherever it evaluates more than one member.
import { ensemble as descriptor } from '../../../shared/tricks/defs/ensemble.js';
import { defineLoopTrick } from './hook.js';

export const ensemble = defineLoopTrick({
  descriptor,
  members: (p) => p.members,
});
