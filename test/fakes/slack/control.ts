/**
 * The Slack simulator on a plain HTTP port, for a playground: the Web API (as `listen()` serves it,
 * /api/<method> with the bot token) and, under /_control, a control API without auth that plays
 * the people of the workspace in Slack's client: read a channel or a thread (who wrote what,
 * replies, reactions; `?full=1` for the Web API's view), write in a channel or a thread as a human
 * user (the agent Alice by default). A written message is stored and delivered to the app's
 * Request URL as a signed message event, with Slack's retries (`userPosts`). n8n still reaches the
 * Web API as https://slack.com through the TLS proxy (test/e2e/lib/tlsProxy.ts); this port is for
 * people.
 */
import * as http from 'http';

import { close, listen, readBody, sendJson } from '../http';
import type { SlackSimulator } from './simulator';

export const CONTROL_ROUTES = [
	'GET    /_control                                         this list, the app and its Request URL',
	'GET    /_control/channels/:channel/messages              the channel as Slack shows it to people (top level, oldest first; ?full=1: as the Web API)',
	'POST   /_control/channels/:channel/messages              {text, user?} a person writes in the channel',
	'GET    /_control/channels/:channel/threads/:ts           one thread, its root first (?full=1: as conversations.replies)',
	'POST   /_control/channels/:channel/threads/:ts/replies   {text, user?, reply_broadcast?} a person replies in the thread',
	'GET    /_control/deliveries                              Events API deliveries to the Request URL (attempts, answers)',
];

export interface SlackServer {
	/** http://host:port: the Web API at /api/<method>. */
	baseUrl: string;
	/** `${baseUrl}/_control` */
	controlUrl: string;
	stop(): Promise<void>;
}

/** Serves `sim` (its Web API and the control API above) on `port` (0: a free one). Does not stop `sim`. */
export async function serveSlack(sim: SlackSimulator, opts: { port?: number; host?: string } = {}): Promise<SlackServer> {
	const host = opts.host ?? '127.0.0.1';
	const server = http.createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://localhost').pathname;
		if (path !== '/_control' && !path.startsWith('/_control/')) return sim.handler(req, res);
		const full = new URL(req.url ?? '/', 'http://localhost').searchParams.get('full') === '1';
		readBody(req)
			.then((raw) => control(sim, String(req.method ?? 'GET').toUpperCase(), path, raw, res, full))
			.catch((error) => sendJson(res, 500, { error: String((error as Error)?.message ?? error) }));
	});
	const port = await listen(server, opts.port ?? 0, host);
	const baseUrl = `http://${host}:${port}`;
	return { baseUrl, controlUrl: `${baseUrl}/_control`, stop: () => close(server) };
}

/** What a person reads of a message in Slack's client: who, the text, replies, reactions, files (the Web API's view has far more). */
function readable(m: Record<string, any>): Record<string, unknown> {
	return {
		ts: m.ts,
		user: m.user,
		...(m.bot_profile?.name ? { bot: m.bot_profile.name } : {}),
		...(m.subtype ? { subtype: m.subtype } : {}),
		text: m.text,
		...(m.reply_count ? { reply_count: m.reply_count } : {}),
		...(m.reactions?.length ? { reactions: m.reactions.map((r: { name: string; count: number }) => `:${r.name}: ${r.count}`) } : {}),
		...(m.files?.length ? { files: m.files.map((f: { name: string }) => f.name) } : {}),
		...(m.edited ? { edited: true } : {}),
	};
}

function control(sim: SlackSimulator, method: string, path: string, raw: string, res: http.ServerResponse, full: boolean): void {
	let body: Record<string, unknown> = {};
	try {
		const parsed: unknown = raw.trim() ? JSON.parse(raw) : {};
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
	} catch (error) {
		return sendJson(res, 400, { error: `bad JSON: ${(error as Error).message}` });
	}
	const [first, channel, third, ts, fifth, ...rest] = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
	const user = typeof body.user === 'string' ? body.user : undefined;
	const text = () => {
		if (typeof body.text !== 'string' || body.text === '') throw new Error('text is required');
		return body.text;
	};
	try {
		if (first === undefined && method === 'GET') {
			return sendJson(res, 200, { team: sim.teamId, app: sim.appId, bot_user: sim.botUserId, request_url: sim.requestUrl ?? null, routes: CONTROL_ROUTES });
		}
		if (first === 'deliveries' && channel === undefined && method === 'GET') return sendJson(res, 200, sim.getDeliveries());
		if (first === 'channels' && channel !== undefined && rest.length === 0) {
			if (third === 'messages' && ts === undefined) {
				if (method === 'GET') return sendJson(res, 200, sim.getMessages(channel).map((m) => (full ? m : readable(m))));
				if (method === 'POST') return sendJson(res, 200, sim.userPosts(channel, text(), { user }));
			}
			if (third === 'threads' && ts !== undefined) {
				if (fifth === undefined && method === 'GET') return sendJson(res, 200, sim.getMessages(channel, ts).map((m) => (full ? m : readable(m))));
				if (fifth === 'replies' && method === 'POST') {
					return sendJson(res, 200, sim.userPosts(channel, text(), { user, threadTs: ts, replyBroadcast: body.reply_broadcast === true }));
				}
			}
		}
		sendJson(res, 404, { error: `no control route ${method} ${path}`, routes: CONTROL_ROUTES });
	} catch (error) {
		// Unknown channel or thread, a user not in the channel, no text: what Slack's client would not let one send.
		sendJson(res, 400, { error: String((error as Error)?.message ?? error) });
	}
}
