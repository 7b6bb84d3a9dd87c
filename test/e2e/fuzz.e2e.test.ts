/**
 * Hostile input, quick variant (part of `npm test`): 150 malformed deliveries per relaying trigger
 * (Landbot, Tiledesk, LiveChat, Botpress HITL, Chatwoot, Crisp), all with the right secret (Chatwoot's
 * and Crisp's signed over each body sent), through a real n8n, then 50 valid ones per trigger at once.
 * Seeded (a fixed seed here, a random one in the full run): the seed is printed, HANDOFF_FUZZ_SEED replays it;
 * HANDOFF_FUZZ_COUNT / HANDOFF_FUZZ_FLOOD change the counts. About 3½ minutes on 2 cores, 4 beside other suites (n8n
 * spends ~120 ms of CPU on each webhook call). The full run (10,000 per trigger, a flood of 200) is
 * `npm run test:fuzz`. What is judged: test/fuzz/harness.ts; every failing case is in the report,
 * <run dir>/fuzz/fuzz-report-<seed>.json (kept with HANDOFF_E2E_KEEP=1).
 */
import { defineFuzzSuite } from '../fuzz/suite';

// A fixed seed in CI, so `npm test` judges the same cases every time; the full run draws a new one.
defineFuzzSuite({ name: 'quick', count: 150, flood: 50, timeoutPerTriggerMs: 180_000, seed: 632625836 });
