/**
 * Hostile input, full run (`npm run test:fuzz`): 10,000 malformed deliveries per relaying trigger
 * (HANDOFF_FUZZ_COUNT), all with the right secret, through a real n8n, then a flood of 200 valid
 * ones per trigger at once (HANDOFF_FUZZ_FLOOD). Seeded: the seed is printed, HANDOFF_FUZZ_SEED
 * replays it. What is judged: harness.ts. Takes about 20 minutes per trigger on 2 cores, some 2¼ hours for the six.
 */
import { defineFuzzSuite } from './suite';

defineFuzzSuite({ name: 'full', count: 10_000, flood: 200, timeoutPerTriggerMs: 3 * 60 * 60 * 1000 });
