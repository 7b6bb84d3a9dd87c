/**
 * The ways a Landbot customer's message can reach Tiledesk, each on a Landbot channel of its own
 * (a channel's hooks all get every message) and behind an AckTap:
 *  - ours: template 2 (Landbot Trigger → Tiledesk node), unchanged but for its channel;
 *  - generic: the hand-built Webhook → Filter → HTTP Request flow (generic-workflow.ts);
 *  - floor: the bare Node.js relay (floor-relay.mts).
 * ours and generic share one n8n: the figures of a round are those of the whole n8n process group.
 */
import { randomBytes } from 'crypto';

import { AckTap } from './ack-tap';
import { startFloorRelay } from './floor';
import { GENERIC_PATH, genericCredentials, genericWorkflow } from './generic-workflow';
import { groupsLedFrom } from './procfs';
import { BENCH_ENV } from './settings';
import { N8nInstance, type QueueOptions, request } from '../test/e2e/lib/n8n';
import {
	LANDBOT_TOKEN,
	type Platforms,
	TILEDESK_OWNER,
	landbotCredential,
	tiledeskCredential,
	waitUntil,
} from '../test/e2e/lib/relay';
import { PLACEHOLDERS, TEMPLATE_FILES, loadTemplate, webhookPath } from '../test/e2e/lib/templates';

export interface Way {
	name: string;
	channelId: number;
	/** Where the channel's hook delivers, at the tap. */
	hookUrl: string;
	tap: AckTap;
	/** Process groups whose CPU and memory count for this way. */
	groups(): number[];
}

export interface Rig {
	ways: Way[];
	stop(): Promise<void>;
}

export const TILEDESK_BASIC = `Basic ${Buffer.from(`${TILEDESK_OWNER.email}:${TILEDESK_OWNER.password}`).toString('base64')}`;
const OURS_TRIGGER = 'Customer message in a handoff';

/** A MessageHook made through Landbot's API, as a user (or our trigger) would. */
async function createHook(p: Platforms, channelId: number, url: string, token: string): Promise<void> {
	const res = await request(`${p.landbot.baseUrl}/channels/${channelId}/message_hooks/`, {
		method: 'POST',
		headers: { authorization: `Token ${LANDBOT_TOKEN}` },
		body: { url, token, name: 'bench' },
	});
	if (res.status !== 201) throw new Error(`creating the Landbot hook for ${url}: ${res.status} ${res.text}`);
}

/** Our trigger registered its hook (at the tap) and n8n accepts its token: an empty delivery starts nothing. */
async function waitForOurTrigger(n8n: N8nInstance, p: Platforms, channelId: number, url: string, path: string) {
	await n8n.waitForWebhook(path);
	const hook = await waitUntil(`our Landbot hook at ${url}`, () => p.landbot.listHooks(channelId).find((h) => h.url === url), {
		timeoutMs: 60_000,
	});
	await waitUntil(`n8n to accept the hook token at ${url}`, async () => {
		const res = await request(url, { method: 'POST', headers: { authorization: `Token ${hook.token}` }, body: { messages: [] } }).catch(
			() => undefined,
		);
		return res?.status === 200;
	});
}

/**
 * An n8n with template 2 (and the generic flow unless `generic` is false), published, triggers
 * live. `env` goes on top of BENCH_ENV; `queue` starts it in queue mode.
 */
export async function startN8nRig(
	p: Platforms,
	opts: { label: string; tarball: string; env?: Record<string, string>; queue?: QueueOptions; generic?: boolean; nodeOptions?: string },
): Promise<Rig & { n8n: N8nInstance }> {
	const tap = await new AckTap().start();
	const oursChannel = p.landbot.createChannel({ name: `${opts.label}: ours`, type: 'landbot' }).id;
	const ours = loadTemplate(TEMPLATE_FILES.landbotToTiledesk, { [PLACEHOLDERS.landbotChannelId]: String(oursChannel) });
	const withGeneric = opts.generic !== false;
	const genericToken = randomBytes(16).toString('hex');
	const env: Record<string, string> = { ...BENCH_ENV, ...opts.env, N8N_WEBHOOK_URL: `${tap.url}/` };
	if (opts.nodeOptions) env.NODE_OPTIONS = opts.nodeOptions;
	const n8n = await N8nInstance.start({
		tarball: opts.tarball,
		credentials: [landbotCredential(p), tiledeskCredential(p), ...(withGeneric ? genericCredentials(genericToken) : [])],
		workflows: [ours, ...(withGeneric ? [genericWorkflow({ baseUrl: p.tiledesk.baseUrl, projectId: p.projectId })] : [])],
		queue: opts.queue,
		env,
	}).catch(async (error) => {
		await tap.stop();
		throw error;
	});
	const stop = async () => {
		await n8n.stop();
		await tap.stop();
	};
	try {
		tap.target = new URL(n8n.webhookUrl('')).origin;
		// Found once: main, and in queue mode its webhook and worker processes (stable while it runs).
		const groups = opts.queue ? groupsLedFrom(n8n.userFolder) : [n8n.pid];
		const oursPath = webhookPath(ours, OURS_TRIGGER);
		const ways: Way[] = [{ name: 'ours', channelId: oursChannel, hookUrl: `${tap.url}/webhook/${oursPath}`, tap, groups: () => groups }];
		await waitForOurTrigger(n8n, p, oursChannel, ways[0].hookUrl, oursPath);
		if (withGeneric) {
			const channelId = p.landbot.createChannel({ name: `${opts.label}: generic`, type: 'landbot' }).id;
			const hookUrl = `${tap.url}/webhook/${GENERIC_PATH}`;
			await n8n.waitForWebhook(GENERIC_PATH);
			await createHook(p, channelId, hookUrl, genericToken);
			ways.push({ name: 'generic', channelId, hookUrl, tap, groups: () => groups });
		}
		return { n8n, ways, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** The bare Node.js relay, its channel and hook. */
export async function startFloorRig(p: Platforms, maxMs: number): Promise<Rig> {
	const token = randomBytes(16).toString('hex');
	const floor = await startFloorRelay({
		hookToken: token,
		tiledeskProjectUrl: `${p.tiledesk.baseUrl}/${p.projectId}`,
		tiledeskAuthorization: TILEDESK_BASIC,
		maxMs,
	});
	const tap = await new AckTap().start();
	tap.target = floor.url;
	const channelId = p.landbot.createChannel({ name: 'floor', type: 'landbot' }).id;
	const hookUrl = `${tap.url}/relay`;
	await createHook(p, channelId, hookUrl, token);
	return {
		ways: [{ name: 'floor', channelId, hookUrl, tap, groups: () => [floor.pgid] }],
		async stop() {
			await tap.stop();
			await floor.stop();
		},
	};
}
