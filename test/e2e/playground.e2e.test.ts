/**
 * `npm start`, end to end: the playground (scripts/start/playground.ts) on free ports, as the script
 * starts it. Checks that every file in templates/ is imported into n8n, published with every trigger
 * activated, and has its credentials; then runs each pairing's walkthrough, the very steps `npm start`
 * prints as curl commands (a customer or user message reaches the agent, the agent's answer reaches
 * them, and the close hands them back); and that n8n logged no request for a webhook it had not
 * registered (what probing webhook URLs during start-up used to cause), and reached the Slack
 * simulator as https://slack.com through the TLS proxy, and nothing else through it. After the
 * Chatwoot and Crisp walkthroughs: their simulators delivered only to the URLs the triggers own (the
 * account webhook template 32 registered, the plugin hook the playground pasted), and the customers
 * got the agents' words only (no history note, no echo of their own messages).
 */
import * as fs from 'fs';
import * as path from 'path';

import { CHATWOOT_TEMPLATE_FILES } from '../../scripts/start/chatwoot';
import { CRISP_TEMPLATE_FILES } from '../../scripts/start/crisp';
import { runSteps } from '../../scripts/start/guide';
import { PAIRINGS, type Playground, startPlayground } from '../../scripts/start/playground';
import { REPO_ROOT } from './lib/n8n';
import { landbotView } from './lib/relay';
import { OUTSIDE_PLAYGROUND, TEMPLATES_DIR, webhookPath } from './lib/templates';

/** This package's node types that take a credential, read from the built nodes the packed package ships. */
function nodeTypesWithCredentials(): Set<string> {
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };
	type NodeClass = new () => { description: { name: string; credentials?: unknown[] } };
	const types = new Set<string>();
	for (const file of pkg.n8n.nodes) {
		for (const Node of Object.values(require(path.join(REPO_ROOT, file)) as Record<string, NodeClass>)) {
			const { name, credentials } = new Node().description;
			if (credentials?.length) types.add(`${pkg.name}.${name}`);
		}
	}
	return types;
}

describe('npm start: the playground with every pairing', () => {
	let pg: Playground;
	const lines: string[] = [];
	const t0 = Date.now();

	beforeAll(async () => {
		pg = await startPlayground({
			// Webhook retries and chat-engine steps 20× faster; no idle unassignment in the middle of a walkthrough.
			timeScale: 0.05,
			idleUnassignMs: 0,
			salesforcePollTimeoutMs: 5_000,
			log: (line) => lines.push(line),
		});
		console.log(`playground:\n${lines.join('\n')}`);
	}, 240_000);

	afterAll(async () => {
		await pg?.stop();
		console.log(`playground: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	test('start-up prints one line per stage with its elapsed time', () => {
		for (const line of lines) expect(line).toMatch(/^\[ *\d+\.\d s\] \S/);
		const stages = lines.map((line) => line.replace(/^\[ *\d+\.\d s\] /, ''));
		expect(stages[0]).toMatch(/^n8n 2\.40\.7 installed \(cached\)/);
		const files = fs.readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.json') && !OUTSIDE_PLAYGROUND.includes(f));
		for (const stage of [
			/^simulators up: Landbot :\d+, Tiledesk :\d+, LiveChat :\d+, Botpress :\d+ and :\d+, Salesforce Live Agent :\d+, Salesforce Enhanced Chat :\d+, Slack :\d+ \(n8n's https:\/\/slack\.com: TLS proxy :\d+\), Chatwoot :\d+, Crisp :\d+, your app :\d+$/,
			/^package installed/,
			/^13 credentials imported$/,
			new RegExp(`^${files.length} workflows imported$`),
			/^n8n ready at http:\/\/127\.0\.0\.1:\d+$/,
			new RegExp(`^${files.length} workflows published`),
			/^triggers live: 9 Landbot message hooks, 5 Tiledesk subscriptions, 6 LiveChat webhooks, 1 Chatwoot account webhook, 2 Botpress bots connected, the Slack app's event URL verified, the Crisp plugin's hook URL pasted$/,
			new RegExp(`^ready: ${Object.keys(PAIRINGS).length} pairings$`),
		]) {
			expect(stages).toContainEqual(expect.stringMatching(stage));
		}
		expect(pg.summary()).toContain(pg.n8n.baseUrl);
		console.log(`playground: ready in ${pg.startedInMs} ms`);
	});

	test('every template file is imported, published with its triggers activated, and has its credentials', async () => {
		const files = fs.readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.json') && !OUTSIDE_PLAYGROUND.includes(f));
		expect(pg.workflows.map((w) => w.file).sort()).toEqual([...files].sort());
		const credentials = (await pg.n8n.rest<{ data: Array<{ id: string; name: string; type: string }> }>('/rest/credentials')).data;
		const problems: string[] = [];
		const needCredential = nodeTypesWithCredentials();
		for (const w of pg.workflows) {
			const { data } = await pg.n8n.rest(`/rest/workflows/${w.id}`);
			if (data.active !== true || data.activeVersionId !== data.versionId) problems.push(`${w.file}: not published (active ${data.active})`);
			const status = (await pg.n8n.rest(`/rest/workflows/${w.id}/publication-status`)).data;
			if (status.status !== 'published') problems.push(`${w.file}: publication ${status.status} ${JSON.stringify(status.triggers)}`);
			for (const node of data.nodes as Array<{ name: string; type: string; credentials?: Record<string, { id: string; name: string }> }>) {
				const refs = Object.entries(node.credentials ?? {});
				if (needCredential.has(node.type) && refs.length === 0) problems.push(`${w.file} "${node.name}": no credential`);
				for (const [type, ref] of refs) {
					const found = credentials.find((c) => c.id === ref.id);
					if (!found) problems.push(`${w.file} "${node.name}": credential ${ref.id} (${ref.name}) missing`);
					else if (found.type !== type || found.name !== ref.name) {
						problems.push(`${w.file} "${node.name}": credential ${ref.id} is ${found.type} "${found.name}", the node wants ${type} "${ref.name}"`);
					}
				}
			}
		}
		expect(problems).toEqual([]);
		// Nothing is left to fill in, and the workflows are the templates (placeholders aside).
		expect(JSON.stringify(pg.workflows.map((w) => w.template))).not.toMatch(/YOUR_[A-Z_]+/);
	});

	test.each(Object.values(PAIRINGS))("%s: the walkthrough's commands relay both ways and hand back", async (title) => {
		const pairing = pg.pairings.find((p) => p.title === title);
		expect(pairing).toBeDefined();
		const started = Date.now();
		const done: string[] = [];
		await runSteps(pairing!.steps, { timeoutMs: 30_000, log: (line) => done.push(line) });
		console.log(`playground: ${title}, ${pairing!.steps.length} steps in ${Date.now() - started} ms\n${done.join('\n')}`);
	});

	test("Chatwoot and Crisp delivered to the triggers' URLs only; Hal and Ivy got the agents' words only", async () => {
		const { chatwoot } = pg.chatwoot;
		const { crisp } = pg.crisp;
		await Promise.all([chatwoot.idle(30_000), crisp.idle(30_000), pg.landbot.idle(30_000)]);
		const urlOf = (file: string, node: string) => pg.n8n.webhookUrl(webhookPath(pg.workflows.find((w) => w.file === file)!.template, node));
		const cwDeliveries = chatwoot.getDeliveries();
		const crDeliveries = crisp.getDeliveries();
		expect(new Set(cwDeliveries.map((d) => `${d.kind} ${d.url}`))).toEqual(new Set([`account_webhook ${urlOf(CHATWOOT_TEMPLATE_FILES.chatwootToLandbot, 'Chatwoot event')}`]));
		expect(new Set(crDeliveries.map((d) => `${d.kind} ${d.url}`))).toEqual(new Set([`plugin ${urlOf(CRISP_TEMPLATE_FILES.crispToLandbot, 'Crisp event')}`]));
		// What the agent wrote in each walkthrough, and what reached the customer as an agent message.
		const written = (title: string) =>
			pg.pairings
				.find((p) => p.title === title)!
				.steps.filter((s) => /\/(agent|operator)_says$/.test(s.url))
				.map((s) => (s.body as { content: string }).content);
		const atCustomer = (id: number) => pg.landbot.getCustomerState(id).messages.filter((m) => m.author_type === 'agent').map(landbotView);
		expect(atCustomer(pg.people.hal)).toEqual(['An agent will be with you shortly.', ...written(PAIRINGS.landbotChatwoot)]);
		expect(atCustomer(pg.people.ivy)).toEqual(['An agent will be with you shortly.', ...written(PAIRINGS.landbotCrisp)]);
		console.log(`playground: ${cwDeliveries.length} Chatwoot and ${crDeliveries.length} Crisp deliveries`);
	});

	test('n8n logged no request for an unregistered webhook, every execution succeeded, only Slack went through the proxy', async () => {
		const log = pg.n8n.logs();
		expect(log.match(/.*is not registered.*/g) ?? []).toEqual([]);
		expect(log.match(/.*Received request for unknown webhook.*/g) ?? []).toEqual([]);
		const executions = await pg.n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => ['error', 'crashed'].includes(e.status))
			.map((e) => ({ id: e.id, workflow: pg.workflows.find((w) => w.id === e.workflowId)?.file, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		console.log(`playground: ${executions.length} executions, none failed`);
		const tunnels = pg.slack.proxy.log.filter((l) => l.kind === 'connect').map((l) => `${l.target} ${l.status}`);
		expect(new Set(tunnels)).toEqual(new Set(['slack.com:443 200']));
		expect(pg.slack.proxy.log.filter((l) => l.kind === 'http')).toEqual([]);
	});
});
