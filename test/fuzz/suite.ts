/**
 * The hostile-input suite, shared by the quick variant (test/e2e/fuzz.e2e.test.ts, part of `npm test`)
 * and the full one (`npm run test:fuzz`): one n8n with the six relaying triggers published, then per
 * trigger a seeded run of malformed deliveries (all with the right secret), then a flood of valid
 * ones, then n8n must still be up. See harness.ts for what is judged.
 */
import { CaseGenerator, TRIGGERS, type TriggerName } from './generator';
import {
	type FloodResult,
	type FuzzReport,
	type FuzzSettings,
	FuzzTarget,
	RssSampler,
	type TriggerResult,
	flood,
	fuzzTrigger,
	healthz,
	settingsFromEnv,
	summary,
	writeReport,
} from './harness';

/** HANDOFF_FUZZ_TRIGGERS=landbot,botpress runs only those. */
const SELECTED = TRIGGERS.filter((t) => !process.env.HANDOFF_FUZZ_TRIGGERS || process.env.HANDOFF_FUZZ_TRIGGERS.split(',').includes(t));

/** The triggers' default Max Deliveries Waiting (nodes/shared/deliveryOptions.ts). */
const DEFAULT_MAX_WAITING = 100;

export function defineFuzzSuite(variant: { name: string; count: number; flood: number; timeoutPerTriggerMs: number; seed?: number }) {
	const settings: FuzzSettings = settingsFromEnv({ count: variant.count, flood: variant.flood, seed: variant.seed });
	const report: FuzzReport = { seed: settings.seed, settings, startedAt: new Date().toISOString(), results: [], floods: [] };
	const t0 = Date.now();
	let target: FuzzTarget;

	describe(`hostile input (${variant.name}, seed ${settings.seed}): ${settings.count} malformed deliveries per relaying trigger, with the right secret, through a real n8n`, () => {
		beforeAll(async () => {
			console.log(`fuzz: seed ${settings.seed} (set HANDOFF_FUZZ_SEED=${settings.seed} to replay), ${settings.count} cases per trigger, ${settings.concurrency} in flight`);
			// HANDOFF_FUZZ_N8N_ENV='{"N8N_EXPRESSION_ENGINE":"legacy"}': extra environment for n8n, to compare a setting.
			target = await FuzzTarget.start(JSON.parse(process.env.HANDOFF_FUZZ_N8N_ENV || '{}') as Record<string, string>);
			report.n8nStartMs = Date.now() - t0;
			report.n8nRssAtStartMB = new RssSampler(target.n8n).mainMB();
			report.templates = target.redactedTemplates();
		}, 300_000);

		afterAll(async () => {
			report.durationMs = Date.now() - t0;
			if (target) {
				report.end ??= { alive: target.alive(), healthz: await healthz(target.n8n), rssMB: new RssSampler(target.n8n).mainMB() };
			}
			const file = writeReport(report);
			console.log(`${summary(report)}\n(report written to ${file})`);
			await target?.stop();
		}, 120_000);

		test('the generator is reproducible: the same seed and templates give the same cases', () => {
			const digest = (trigger: TriggerName) => {
				const generator = new CaseGenerator(trigger, { seed: settings.seed, templates: target.templates[trigger] });
				return Array.from({ length: 40 }, () => {
					const c = generator.next();
					// (not the bytes: fresh deliveries carry the current time, as the platforms' do, and so may a
					// detail that previews a copied message: epoch seconds or ms and ISO times are masked)
					const detail = c.detail.replace(/\b1\d{9}(\d{3})?(\.\d+)?\b/g, '<time>').replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>');
					return `${c.kind}|${c.endpoint}|${c.mutation}|${detail}|${c.expect}|${c.reason}`;
				}).join('\n');
			};
			for (const trigger of TRIGGERS) expect(digest(trigger)).toBe(digest(trigger));
			// and another seed gives other cases
			const other = new CaseGenerator('landbot', { seed: settings.seed + 1, templates: target.templates.landbot });
			const mine = new CaseGenerator('landbot', { seed: settings.seed, templates: target.templates.landbot });
			const a = Array.from({ length: 20 }, () => mine.next().detail).join();
			const b = Array.from({ length: 20 }, () => other.next().detail).join();
			expect(a).not.toBe(b);
		});

		for (const trigger of SELECTED) {
			test(
				`${trigger}: no 5xx (but 503 + Retry-After), no execution from an unreadable body, every valid delivery runs once, events well-formed, RSS bounded`,
				async () => {
					const result: TriggerResult = await fuzzTrigger(target, trigger, settings);
					report.results.push(result);
					writeReport(report);
					console.log(
						`fuzz ${trigger}: ${result.deliveries} cases in ${result.durationMs} ms, statuses ${JSON.stringify(result.statuses)}, ` +
							`${result.executions} executions (${result.answersStartingExecutions} answers said so; valid ${result.validStarted}/${result.validSent}), ` +
							`peak RSS ${result.peakRssMB} MB main / ${result.peakRssGroupMB} MB with task runner, n8n CPU ${result.n8nCpuMs} ms, harness CPU ${result.harnessCpuMs} ms, failures ${JSON.stringify(result.failureCounts)}`,
					);
					// Enough of each kind to be a real run (a generator that only makes rejects would prove nothing).
					expect(result.deliveries).toBe(settings.count);
					if (settings.count >= 100) {
						expect(result.validSent).toBeGreaterThan(0);
						expect(result.byExpectation.reject ?? 0).toBeGreaterThan(0);
						expect(result.byExpectation.any ?? 0).toBeGreaterThan(0);
					}
					const shown = (check: string) =>
						result.failures
							.filter((f) => f.check === check)
							.slice(0, 5)
							.map((f) => `${f.case ?? f.execution}: ${f.detail ?? ''} → ${f.message}\n    body: ${f.body ?? ''}`);
					for (const check of [
						'noAnswer',
						'status5xx',
						'executionFromRejected',
						'executionFromUnreadable',
						'validRefused',
						'validNotRun',
						'executionFailed',
						'executionDataUnreadable',
						'malformedEvent',
						'executionCount',
					]) {
						expect({ check, count: result.failureCounts[check] ?? 0, examples: shown(check) }).toEqual({ check, count: 0, examples: [] });
					}
					expect(target.alive()).toBe(true);
					expect(result.peakRssMB).toBeLessThan(settings.maxRssMB);
				},
				variant.timeoutPerTriggerMs,
			);
		}

		test(
			`flood: ${settings.flood} valid deliveries for distinct conversations at once, per trigger: no 5xx but 503 + Retry-After, n8n up, RSS bounded`,
			async () => {
				for (const trigger of SELECTED) {
					const result: FloodResult = await flood(target, trigger, settings.flood, settings);
					report.floods.push(result);
					console.log(
						`flood ${trigger}: ${result.deliveries} at once → ${JSON.stringify(result.statuses)} in ${result.durationMs} ms (slowest ${result.slowestMs} ms), ` +
							`${result.executions} executions, RSS ${result.rssBeforeMB} → peak ${result.peakRssMB} → ${result.rssAfterMB} MB, ` +
							`/healthz slowest ${result.healthz.slowestMs} ms (${result.healthz.failed} of ${result.healthz.probes} unanswered in 10 s)`,
					);
				}
				writeReport(report);
				for (const result of report.floods) {
					expect({ trigger: result.trigger, other5xx: result.other5xx, noAnswer: result.noAnswer }).toEqual({ trigger: result.trigger, other5xx: 0, noAnswer: 0 });
					// Beyond Max Deliveries Waiting (100 by default, the fuzz workflows' setting) some must be pushed back.
					if (result.deliveries > DEFAULT_MAX_WAITING) {
						expect({ trigger: result.trigger, pushedBack: result.pushBack503 > 0 }).toEqual({ trigger: result.trigger, pushedBack: true });
					}
					// What the flood added, not the RSS a long run has already grown to.
					expect({ trigger: result.trigger, grewUnderBound: result.peakRssMB - result.rssBeforeMB < settings.maxFloodGrowthMB }).toEqual({ trigger: result.trigger, grewUnderBound: true });
				}
				expect(target.alive()).toBe(true);
			},
			variant.timeoutPerTriggerMs,
		);

		test('n8n survived: the process is alive and /healthz answers 200', async () => {
			report.end = { alive: target.alive(), healthz: await healthz(target.n8n), rssMB: new RssSampler(target.n8n).mainMB() };
			expect(report.end.alive).toBe(true);
			expect(report.end.healthz).toBe(200);
		});
	});
}
