/**
 * Smoke test of the e2e harness itself: a real n8n starts, runs a published webhook workflow built
 * from built-in nodes only, and leaves no process behind; and a packed build of this package loads.
 */
import * as fs from 'fs';
import * as path from 'path';
import { N8nInstance, REPO_ROOT, packPackage, processGroupMembers, request } from './lib/n8n';

/** Webhook → Set → Respond to Webhook: answers {greeting: "hello <name>"}. */
const echoWorkflow = {
	name: 'e2e smoke echo',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: 'c0a8e1f2-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'c0a8e1f2-0000-4000-8000-0000000000aa',
			parameters: { httpMethod: 'POST', path: 'smoke', responseMode: 'responseNode', options: {} },
		},
		{
			id: 'c0a8e1f2-0000-4000-8000-000000000002',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: {
				assignments: {
					assignments: [{ id: 'g', name: 'greeting', type: 'string', value: "={{ 'hello ' + $json.body.name }}" }],
				},
				options: {},
			},
		},
		{
			id: 'c0a8e1f2-0000-4000-8000-000000000003',
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.1,
			position: [440, 0],
			parameters: { respondWith: 'json', responseBody: '={{ JSON.stringify($json) }}', options: {} },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
		Set: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	},
};

describe('real n8n harness', () => {
	test('runs a published webhook workflow of built-in nodes, then stops without leftovers', async () => {
		const t0 = Date.now();
		const n8n = await N8nInstance.start({
			workflows: [echoWorkflow],
			// a credential, to check that import:credentials takes plain `data`
			credentials: [{ id: 'e2eSmokeCred0001', name: 'smoke header', type: 'httpHeaderAuth', data: { name: 'X-Key', value: 'k' } }],
		});
		const tStarted = Date.now();
		await n8n.waitForWebhook('smoke');
		const tReady = Date.now();

		const res = await request(n8n.webhookUrl('smoke'), { method: 'POST', body: { name: 'bob' } });
		expect(res.status).toBe(200);
		expect(res.json()).toEqual({ greeting: 'hello bob' });

		const [execution] = await n8n.waitForExecutions(1, { workflowId: n8n.workflowIds[0] });
		expect(execution.status).toBe('success');
		expect(execution.data.resultData.runData.Set[0].data.main[0][0].json).toEqual({ greeting: 'hello bob' });
		expect(n8n.logs()).toContain('Successfully imported 1 credential');

		const rss = n8n.rssMB();
		const pgid = n8n.pid;
		expect(processGroupMembers(pgid).length).toBeGreaterThan(0);
		const tStop = Date.now();
		await n8n.stop();
		expect(processGroupMembers(pgid)).toEqual([]);
		console.log(
			`n8n: imports+publish+start ${tStarted - t0} ms, webhook ready after ${tReady - tStarted} ms more, ` +
				`stop ${Date.now() - tStop} ms, RSS ${rss} MB (n8n + task runner)`,
		);
	});

	const hasBuild = fs.existsSync(path.join(REPO_ROOT, 'dist'));
	if (!hasBuild) console.warn('e2e smoke: no dist/ in the repo: skipping the packed-package test (run `npm run build`).');
	(hasBuild ? test : test.skip)('loads the nodes of the packed package (needs `npm run build` first)', async () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
		const n8n = await N8nInstance.start({ tarball: await packPackage() });
		// n8n logs a package it cannot load and starts anyway: surface its reason.
		const failure = /Failed to load package[^\n]*|Cannot find module[^\n]*/.exec(n8n.logs());
		if (failure) throw new Error(`n8n could not load ${pkg.name}: ${failure[0]}`);
		const ours = (await n8n.nodeTypes()).filter((t) => t.startsWith(`${pkg.name}.`));
		// each node with usableAsTool also shows up as a "<name>Tool" variant for n8n's AI Agent
		const nodes = ours.filter((t) => !(t.endsWith('Tool') && ours.includes(t.slice(0, -4))));
		expect(nodes).toHaveLength(pkg.n8n.nodes.length);
		await n8n.stop();
	});
});
