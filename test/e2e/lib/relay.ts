/**
 * Helpers for the relay end-to-end tests: the platform simulators with a demo set-up, the credentials
 * the templates expect, waiting until a published trigger is really live at a simulator, and small
 * readers of the simulators' conversation state (what a user would look at, not n8n internals).
 */
import * as crypto from 'crypto';

import { LandbotSimulator, TiledeskSimulator } from '../../fakes';
import type { LandbotSimulatorOptions, TiledeskMessage } from '../../fakes';
import type { N8nInstance } from './n8n';
import { request } from './n8n';
import { TEMPLATE_CREDENTIALS } from './templates';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value; throws with `what` (and the last value seen) after the timeout. */
export async function waitUntil<T>(
	what: string,
	check: () => T | Promise<T>,
	opts: { timeoutMs?: number; pollMs?: number; describe?: () => unknown } = {},
): Promise<NonNullable<T>> {
	const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
	let last: T | undefined;
	while (Date.now() < deadline) {
		last = await check();
		if (last) return last as NonNullable<T>;
		await sleep(opts.pollMs ?? 100);
	}
	const detail = opts.describe ? `\n${JSON.stringify(opts.describe(), null, 1).slice(0, 4000)}` : '';
	throw new Error(`timed out waiting for ${what}${detail}`);
}

// ---------------------------------------------------------------- simulators

export const LANDBOT_TOKEN = 'landbot-e2e-agent-token';
export const LANDBOT_AGENT_ID = 101;
export const TILEDESK_OWNER = { email: 'owner@tiledesk.e2e', password: 'owner-e2e-pw', firstname: 'Olivia', lastname: 'Owner' };
export const TILEDESK_AGENT = { email: 'agent@tiledesk.e2e', password: 'agent-e2e-pw', firstname: 'Alice', lastname: 'Agent' };

/** A Tiledesk project: the credential's owner (admin rights for the triggers), one available agent, a shared secret. */
export interface TiledeskSide {
	tiledesk: TiledeskSimulator;
	projectId: string;
	/** The Tiledesk agent who answers (a project member with the agent role). */
	agentId: string;
	sharedSecret: string;
}

export interface Platforms extends TiledeskSide {
	landbot: LandbotSimulator;
	/** The web channel the Landbot triggers listen to. */
	channelId: number;
	stop(): Promise<void>;
}

export async function startTiledesk(opts: { timeScale: number; port?: number }): Promise<TiledeskSide> {
	const tiledesk = await new TiledeskSimulator({ timeScale: opts.timeScale, port: opts.port }).start();
	const { project } = tiledesk.createProject({ name: 'E2E support', owner: TILEDESK_OWNER });
	const agentId = tiledesk.createAgent(project._id, TILEDESK_AGENT).user._id;
	const sharedSecret = tiledesk.setProjectSecret(project._id);
	return { tiledesk, projectId: project._id, agentId, sharedSecret };
}

/** A Landbot simulator whose API token `LANDBOT_TOKEN` belongs to the demo agent `LANDBOT_AGENT_ID`. */
export async function startLandbot(timeScale: number, options: LandbotSimulatorOptions = {}): Promise<LandbotSimulator> {
	return await new LandbotSimulator({
		timeScale,
		tokens: { [LANDBOT_TOKEN]: LANDBOT_AGENT_ID },
		agents: [{ id: LANDBOT_AGENT_ID, name: 'Lena Landbot-Agent' }],
		...options,
	}).start();
}

export async function startPlatforms(opts: {
	timeScale: number;
	landbot?: LandbotSimulatorOptions;
	tiledeskPort?: number;
}): Promise<Platforms> {
	const landbot = await startLandbot(opts.timeScale, opts.landbot);
	const side = await startTiledesk({ timeScale: opts.timeScale, port: opts.tiledeskPort }).catch(async (error) => {
		await landbot.stop();
		throw error;
	});
	const channelId = landbot.createChannel({ name: 'Web bot', type: 'landbot' }).id;
	return {
		...side,
		landbot,
		channelId,
		async stop() {
			await Promise.all([landbot.stop(), side.tiledesk.stop()]);
		},
	};
}

// ---------------------------------------------------------------- credentials

export function landbotCredential(p: { landbot: LandbotSimulator }) {
	const { id, name, type } = TEMPLATE_CREDENTIALS.landbot;
	return { id, name, type, data: { apiToken: LANDBOT_TOKEN, agentId: String(LANDBOT_AGENT_ID), baseUrl: p.landbot.baseUrl } };
}

export function tiledeskCredential(p: TiledeskSide) {
	const { id, name, type } = TEMPLATE_CREDENTIALS.tiledesk;
	return {
		id,
		name,
		type,
		data: {
			baseUrl: p.tiledesk.baseUrl,
			projectId: p.projectId,
			authType: 'password',
			email: TILEDESK_OWNER.email,
			password: TILEDESK_OWNER.password,
			sharedSecret: p.sharedSecret,
		},
	};
}

export const HEADER_SECRET_NAME = 'X-Handoff-Secret';

/**
 * A header secret credential: n8n's Header Auth (`httpHeaderAuth`) or this package's Handoff Request
 * Secret (`handoffRequestApi`); returns it with the random value the caller must send.
 */
export function headerSecretCredential(which: { id: string; name: string; type: string }) {
	const value = crypto.randomBytes(24).toString('hex');
	const data = which.type === 'handoffRequestApi' ? { headerName: HEADER_SECRET_NAME, secret: value } : { name: HEADER_SECRET_NAME, value };
	return { value, credential: { ...which, data } };
}

// ---------------------------------------------------------------- triggers live at the simulators

/**
 * Waits until a published Landbot Trigger is live: its MessageHook exists at the simulator and n8n
 * accepts a delivery signed with the hook's token (n8n stores the webhook, then calls create(), then
 * saves the token in static data: only then can a delivery be verified). The probe is an empty
 * delivery `{"messages": []}`, which starts no execution.
 */
export async function waitForLandbotTrigger(
	n8n: N8nInstance,
	p: { landbot: LandbotSimulator },
	webhookPath: string,
): Promise<void> {
	const url = n8n.webhookUrl(webhookPath);
	await n8n.waitForWebhook(webhookPath);
	const hook = await waitUntil(`Landbot message hook for ${url}`, () => p.landbot.listHooks().find((h) => h.url === url), {
		timeoutMs: 60_000,
	});
	await waitUntil(`n8n to accept the Landbot hook token at ${url}`, async () => {
		const res = await request(url, {
			method: 'POST',
			headers: { authorization: `Token ${hook.token}` },
			body: { messages: [] },
		}).catch(() => undefined);
		return res?.status === 200;
	});
}

/** The same for a Tiledesk Trigger: its subscriptions exist and n8n accepts their secret (probe: an event it ignores). */
export async function waitForTiledeskTrigger(
	n8n: N8nInstance,
	p: TiledeskSide,
	webhookPath: string,
	events: string[],
): Promise<void> {
	const url = n8n.webhookUrl(webhookPath);
	await n8n.waitForWebhook(webhookPath);
	const subscriptions = await waitUntil(
		`Tiledesk subscriptions ${events.join(', ')} for ${url}`,
		() => {
			const ours = p.tiledesk.listSubscriptions(p.projectId).filter((s) => s.target === url);
			return events.every((e) => ours.some((s) => s.event === e)) ? ours : undefined;
		},
		{ timeoutMs: 60_000 },
	);
	await waitUntil(`n8n to accept the Tiledesk hook secret at ${url}`, async () => {
		// Read again each time: the trigger replaces the server's secret with its own after subscribing.
		const probe = p.tiledesk.listSubscriptions(p.projectId).find((s) => s._id === subscriptions[0]._id) ?? subscriptions[0];
		const res = await request(url, {
			method: 'POST',
			headers: { 'x-hook-secret': String(probe.secret) },
			body: { timestamp: Date.now(), payload: { id_project: p.projectId }, hook: { _id: probe._id, event: probe.event }, token: 'probe' },
		}).catch(() => undefined);
		// 401 until n8n holds the secret Tiledesk sends; then a payload with nothing but the project is unreadable.
		return res?.status === 400;
	});
}

// ---------------------------------------------------------------- reading the conversations

/** `support-group-{projectId}-{externalId}`, as the Tiledesk node builds it for a clean external ID. */
export const requestIdFor = (p: TiledeskSide, externalId: string | number) => `support-group-${p.projectId}-${externalId}`;

export const isInfoLine = (m: TiledeskMessage) =>
	typeof m.attributes?.subtype === 'string' && String(m.attributes.subtype).startsWith('info');

export const carriesMarker = (m: TiledeskMessage) => m.attributes?.n8nHandoff === true;

/** A message as the other side shows it: text, or `image <url> <caption>`. */
export function landbotView(m: { type: string; message: string; data: Record<string, unknown> }): string {
	if (m.type === 'image') return `image ${String(m.data.url)}${m.message ? ` ${m.message}` : ''}`;
	return m.message;
}

export function tiledeskView(m: TiledeskMessage): string {
	if (m.type === 'image') return `image ${String(m.metadata?.src)}${m.text ? ` ${m.text}` : ''}`;
	return m.text ?? '';
}

/** Executions n8n has recorded (any workflow, any status). */
export async function executionCount(n8n: N8nInstance): Promise<number> {
	return (await n8n.executions({ includeData: false })).length;
}

/**
 * Quiet: the simulators have sent and retried all they will (`idle`), n8n has no execution new or
 * running, and a moment more for a late copy to show.
 */
export async function settle(n8n: N8nInstance, simulators: Array<{ idle(timeoutMs: number): Promise<unknown> }>): Promise<void> {
	await Promise.all(simulators.map((simulator) => simulator.idle(30_000)));
	await waitUntil(
		'n8n to finish every execution',
		async () => (await n8n.executions({ includeData: false })).every((e) => !['new', 'running'].includes(e.status)),
		{ timeoutMs: 60_000, pollMs: 300 },
	);
	await sleep(1_500);
}
