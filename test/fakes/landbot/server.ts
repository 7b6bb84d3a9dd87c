import * as http from 'http';

import { parseJsonBody, queryOf, readBody, sendJson } from '../http';
import { injectedFault } from '../http';
import {
	INVALID_TOKEN,
	NOT_FOUND_PATH,
	TOO_MANY_REQUESTS,
	WHATSAPP_WINDOW_CLOSED,
	badRequest,
	notFound,
	ok,
	parseId,
} from './common';
import type { ApiContext, CustomerRecord, LandbotApiCall, LandbotChannel, LandbotMessage, Reply } from './common';
import { LandbotConversations } from './conversations';

/**
 * The HTTP side: routing a request, token authentication, rate limits, recorded calls, and what
 * the routes share.
 */
export abstract class LandbotServer extends LandbotConversations {
	// ---------------------------------------------------------------- internals: HTTP

	protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const rawBody = await readBody(req);
		const method = (req.method ?? 'GET').toUpperCase();
		const query = queryOf(url);

		if (url.pathname === '/_control' || url.pathname.startsWith('/_control/')) {
			await this.handleControl(method, url.pathname, rawBody, res);
			return;
		}
		if (url.pathname.startsWith('/media/') && (method === 'GET' || method === 'HEAD')) {
			const file = this.media.get(url.pathname);
			if (!file) {
				sendJson(res, 404, { detail: 'Not found.' });
				return;
			}
			res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.data.length) });
			res.end(method === 'HEAD' ? undefined : file.data);
			return;
		}

		let parsed: unknown;
		let parseError: string | undefined;
		try {
			parsed = parseJsonBody(rawBody);
		} catch (err) {
			parseError = (err as Error).message;
			parsed = rawBody;
		}
		const call: LandbotApiCall = {
			at: Date.now(),
			method,
			path: url.pathname,
			query,
			headers: req.headers,
			body: parsed,
		};
		this.calls.push(call);

		const fault = injectedFault(this.options.faults);
		if (fault !== undefined) {
			call.status = fault;
			call.injected = true;
			sendJson(res, fault, fault === 429 ? TOO_MANY_REQUESTS.body : { detail: 'Injected failure' });
			return;
		}
		const reply = this.dispatch(method, url.pathname, query, req.headers, parsed, parseError, call);
		call.status = reply.status;
		if (reply.status === 204) {
			res.writeHead(204, reply.headers ?? {});
			res.end();
			return;
		}
		sendJson(res, reply.status, reply.body, reply.headers);
	}

	private dispatch(
		method: string,
		path: string,
		query: Record<string, string>,
		headers: http.IncomingHttpHeaders,
		body: unknown,
		parseError: string | undefined,
		call: LandbotApiCall,
	): Reply {
		// Django resolves the URL before authenticating: unknown paths are 404 for everyone.
		// CHOICE: a path without its trailing slash is treated as unknown (404), not redirected.
		const match = this.router.match(method, path);
		if (match === undefined) return NOT_FOUND_PATH;

		const header = headers.authorization ?? '';
		const m = /^Token\s+(\S+)\s*$/.exec(header);
		const agent = m ? this.agentByToken.get(m[1]) : undefined;
		// Sheet: 401 {"detail":"Invalid token."}. CHOICE: same answer when the header is missing or
		// uses another scheme (Django REST framework would say "Authentication credentials were not provided.").
		if (!agent) return INVALID_TOKEN;
		call.agentId = agent.id;

		if (!this.allowRequest(m![1])) return TOO_MANY_REQUESTS;
		if (match === 'method') return { status: 405, body: { detail: `Method "${method}" not allowed.` } };
		if (parseError !== undefined) return { status: 400, body: { detail: `JSON parse error - ${parseError}` } };

		const ctx: ApiContext = { agent, params: match.params, query, body: body ?? {} };
		return match.handler(ctx);
	}

	/** Sheet: 10 requests per second per token (sliding one-second window, real time). */
	private allowRequest(token: string): boolean {
		const now = Date.now();
		const window = (this.rateWindows.get(token) ?? []).filter((t) => now - t < 1000);
		if (window.length >= this.options.rateLimitPerSecond) {
			this.rateWindows.set(token, window);
			return false;
		}
		window.push(now);
		this.rateWindows.set(token, window);
		return true;
	}

	protected api(method: string, pattern: string, handler: (ctx: ApiContext) => Reply): void {
		this.router.add(method, `/v1${pattern}`, handler);
	}

	protected withCustomer(handler: (ctx: ApiContext, customer: CustomerRecord) => Reply): (ctx: ApiContext) => Reply {
		return (ctx) => {
			const id = parseId(ctx.params.customer_id);
			const customer = id === undefined ? undefined : this.customers.get(id);
			if (!customer) return notFound('customer');
			return handler(ctx, customer);
		};
	}

	protected withChannel(handler: (ctx: ApiContext, channel: LandbotChannel) => Reply): (ctx: ApiContext) => Reply {
		return (ctx) => {
			const id = parseId(ctx.params.channel_id);
			const channel = id === undefined ? undefined : this.channels.get(id);
			if (!channel) return notFound('channel');
			return handler(ctx, channel);
		};
	}

	/** `offset` (default 0) and `limit` (default 20, max 100) — sheet. */
	protected paging(query: Record<string, string>): { offset: number; limit: number } | Reply {
		const offset = query.offset === undefined ? 0 : parseId(query.offset);
		if (offset === undefined) return badRequest('offset', 'A valid integer is required.');
		const limit = query.limit === undefined ? 20 : parseId(query.limit);
		if (limit === undefined) return badRequest('limit', 'A valid integer is required.');
		// CHOICE: a limit above 100 is clamped to 100 (as Django REST framework's max_limit does).
		return { offset, limit: Math.min(limit, 100) };
	}

	/** Sending as an agent: refused outside the WhatsApp window (sheet); stops the bot (guide step 2). */
	protected sendAsAgent(
		ctx: ApiContext,
		customer: CustomerRecord,
		build: (sender: LandbotMessage['sender']) => LandbotMessage,
	): Reply {
		const channel = this.channels.get(customer.channel_id)!;
		if (channel.type === 'whatsapp' && !customer.whatsapp_window_open) return WHATSAPP_WINDOW_CLOSED;
		const message = build({ id: ctx.agent.id, name: ctx.agent.name, type: 'agent' });
		if (customer.bot.active) {
			// Landbot's guide: once the service sends as the agent, the bot stops managing the chat.
			// CHOICE: it does not assign the customer to that agent (the guide re-assigns explicitly).
			customer.bot.active = false;
			customer.events.push({ at: Date.now(), type: 'bot_stopped', by: ctx.agent.id });
		}
		this.postMessage(customer, message, true);
		return ok();
	}

	// The control API (simulator.ts).
	protected abstract handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void>;
}
