import * as http from 'http';

import { isObject, sendJson } from '../http';
import type { Reply } from './common';
import type { SalesforceEnhancedChatSimulator } from './simulator';

/** The HTTP control API (no auth), for a playground: each route mirrors a simulator method. */
export const CONTROL_ROUTES = [
	'GET    /_control                                     this list, the ids and the options',
	'POST   /_control/reset                               forget every token, conversation, stream and call',
	'PATCH  /_control/options                             {agentsAvailable?, routingDelayMs?, autoAcceptAgent?, tokenTtlMs?, …} configure()',
	'POST   /_control/fail_next                           {method?, path | pathRegex, status, count?, body?} failNext()',
	'GET    /_control/streams                             open SSE streams, by subject',
	'POST   /_control/streams/drop                        {subject?} destroy open streams abruptly',
	'GET    /_control/calls                               recorded API calls',
	'GET    /_control/conversations                       every conversation (view)',
	'GET    /_control/conversations/:id                   one conversation (view)',
	'GET    /_control/conversations/:id/transcript        its entries, readable',
	'POST   /_control/conversations/:id/accept            {name?} an agent joins',
	'POST   /_control/conversations/:id/agent_says        {text?, attachments?: [{name, mimeType, base64}], name?}',
	'POST   /_control/conversations/:id/bot_says          {text, name?}',
	'POST   /_control/conversations/:id/agent_typing      {started}',
	'POST   /_control/conversations/:id/end_session       the agent ends the messaging session',
	'POST   /_control/conversations/:id/transfer          {queue?}',
];

export function handleControlRequest(
	sim: SalesforceEnhancedChatSimulator,
	method: string,
	path: string,
	raw: string,
	res: http.ServerResponse,
): void {
	let body: any = {};
	try {
		body = raw.trim() ? JSON.parse(raw) : {};
	} catch (err) {
		sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
		return;
	}
	if (!isObject(body)) body = {};
	const parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
	try {
		const reply = route(sim, method, parts, body);
		if (reply === undefined) sendJson(res, 404, { error: `no control route ${method} ${path}` });
		else sendJson(res, reply.status, reply.body);
	} catch (err) {
		sendJson(res, 400, { error: String((err as Error)?.message ?? err) });
	}
}

function route(sim: SalesforceEnhancedChatSimulator, method: string, parts: string[], body: Record<string, any>): Reply | undefined {
	const [first, second, third] = parts;
	const done: Reply = { status: 200, body: { success: true } };
	const at = (n: number) => parts.length === n;
	if (method === 'GET' && at(0)) return { status: 200, body: { ...sim.describe(), routes: CONTROL_ROUTES } };
	if (method === 'POST' && first === 'reset' && at(1)) {
		sim.reset();
		return done;
	}
	if (method === 'PATCH' && first === 'options' && at(1)) {
		const { port: _port, host: _host, ...options } = body;
		sim.configure(options);
		return { status: 200, body: sim.describe() };
	}
	if (method === 'POST' && first === 'fail_next' && at(1)) {
		const path = typeof body.pathRegex === 'string' ? new RegExp(body.pathRegex) : body.path;
		if (typeof path !== 'string' && !(path instanceof RegExp)) throw new Error('path or pathRegex is required');
		sim.failNext({ method: body.method, path, status: Number(body.status), count: body.count, body: body.body });
		return done;
	}
	if (method === 'GET' && first === 'calls' && at(1)) return { status: 200, body: sim.getCalls() };
	if (first === 'streams') {
		if (method === 'GET' && at(1)) return { status: 200, body: { open: sim.openStreams(), bySubject: sim.openStreamsBySubject() } };
		if (method === 'POST' && second === 'drop' && at(2)) {
			return { status: 200, body: { dropped: sim.dropStreams(typeof body.subject === 'string' ? body.subject : undefined) } };
		}
		return undefined;
	}
	if (first !== 'conversations') return undefined;
	if (method === 'GET' && at(1)) return { status: 200, body: sim.conversations() };
	if (second === undefined) return undefined;
	const view = sim.conversation(second);
	if (!view) return { status: 404, body: { error: `unknown conversation ${second}` } };
	if (method === 'GET' && at(2)) return { status: 200, body: view };
	if (method === 'GET' && third === 'transcript' && at(3)) return { status: 200, body: sim.transcript(second) };
	if (method !== 'POST' || !at(3)) return undefined;
	const name = typeof body.name === 'string' ? body.name : undefined;
	switch (third) {
		case 'accept':
			sim.agentAccepts(second, { name });
			break;
		case 'agent_says':
			if (Array.isArray(body.attachments)) {
				const attachments = body.attachments.map((a: any) => ({
					name: String(a.name ?? 'file'),
					mimeType: String(a.mimeType ?? 'application/octet-stream'),
					data: Buffer.from(String(a.base64 ?? ''), 'base64'),
				}));
				sim.agentSays(second, { text: typeof body.text === 'string' ? body.text : undefined, attachments }, { name });
			} else {
				sim.agentSays(second, String(body.text ?? ''), { name });
			}
			break;
		case 'bot_says':
			sim.botSays(second, String(body.text ?? ''), { name });
			break;
		case 'agent_typing':
			sim.agentTyping(second, body.started !== false);
			break;
		case 'end_session':
			sim.agentEndsSession(second);
			break;
		case 'transfer':
			sim.transfer(second, { queue: typeof body.queue === 'string' ? body.queue : undefined });
			break;
		default:
			return undefined;
	}
	return done;
}
