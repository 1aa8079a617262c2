/** The seeded PRNG lives with the simulation world in src/core/sim (the demo mode ships it). */
export { seededRandom } from '../../../src/core/sim/prng';
