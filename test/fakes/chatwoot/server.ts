import * as http from 'http';

import { injectedFault, isObject, parseMultipart, queryOf, readRaw, sendJson, sendText } from '../http';
import { BOT_FORBIDDEN, INVALID_TOKEN, NOT_AUTHORIZED, NOT_FOUND, error } from './common';
import type { Caller, ChatwootApiCall, Ctx, Reply, RouteDef, UploadedFile } from './common';
import { ChatwootConversations } from './conversations';

/**
 * The HTTP side: routing, the `api_access_token` header (users and agent bots) and what each may
 * call, Rack::Attack throttles, fault injection, recorded calls, and the attachment files.
 */
export abstract class ChatwootServer extends ChatwootConversations {
	protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const raw = await readRaw(req, 40 * 1024 * 1024);
		const method = (req.method ?? 'GET').toUpperCase();
		// Rails: a trailing slash and a `.json` format suffix name the same route.
		const path = url.pathname.replace(/\.json$/, '').replace(/(.)\/+$/, '$1');

		if (path === '/_control' || path.startsWith('/_control/')) {
			await this.handleControl(method, path, raw.toString('utf8'), res);
			return;
		}
		const blob = /^\/rails\/active_storage\/blobs\/redirect\/([^/]+)\/[^/]+$/.exec(path);
		if (blob && method === 'GET') {
			const a = this.attachments.get(blob[1]);
			if (!a) return sendText(res, 404, 'Not Found');
			res.writeHead(200, { 'Content-Type': a.contentType, 'Content-Length': String(a.data.length) });
			res.end(a.data);
			return;
		}

		const query = queryOf(url);
		const parsed = this.parseBody(raw, String(req.headers['content-type'] ?? ''));
		const call: ChatwootApiCall = {
			at: Date.now(),
			method,
			path: url.pathname,
			query,
			headers: req.headers,
			body: parsed === 'bad' ? raw.toString('utf8') : parsed.fields,
		};
		this.calls.push(call);

		const fault = injectedFault(this.options.faults);
		if (fault !== undefined) {
			call.status = fault;
			call.injected = true;
			sendJson(res, fault, { error: 'Injected failure' });
			return;
		}
		const throttled = this.throttle(req.socket.remoteAddress ?? '?', path);
		if (throttled) {
			call.status = 429;
			// Rack::Attack's default throttled answer.
			sendText(res, 429, 'Retry later\n');
			return;
		}
		const reply =
			parsed === 'bad'
				? // CHOICE: Rails answers a JSON body it cannot parse with 400 (ActionDispatch::Http::Parameters::ParseError).
					{ status: 400, body: { status: 400, error: 'Bad Request' } }
				: this.dispatch(method, path, query, req.headers, parsed, call);
		call.status = reply.status;
		if (reply.text !== undefined) sendText(res, reply.status, reply.text, reply.headers);
		else sendJson(res, reply.status, reply.body, reply.headers);
	}

	private parseBody(raw: Buffer, contentType: string): { fields: Record<string, any>; files: UploadedFile[] } | 'bad' {
		if (raw.length === 0) return { fields: {}, files: [] };
		if (/multipart\/form-data/i.test(contentType)) {
			const parts = parseMultipart(raw, contentType) ?? [];
			const fields: Record<string, any> = {};
			const files: UploadedFile[] = [];
			for (const part of parts) {
				if (part.filename !== undefined) {
					if (part.name === 'attachments[]' || part.name === 'attachments') {
						files.push({ name: part.filename, contentType: part.contentType ?? 'application/octet-stream', data: part.data });
					}
					continue;
				}
				setField(fields, part.name, part.data.toString('utf8'));
			}
			return { fields, files };
		}
		if (/application\/x-www-form-urlencoded/i.test(contentType)) {
			const fields: Record<string, any> = {};
			new URLSearchParams(raw.toString('utf8')).forEach((value, key) => setField(fields, key, value));
			return { fields, files: [] };
		}
		try {
			const body = JSON.parse(raw.toString('utf8'));
			return { fields: isObject(body) ? body : { _json: body }, files: [] };
		} catch {
			return 'bad';
		}
	}

	/** Rack::Attack: `req/ip` over every request, and contact search per account; fixed one-minute windows. */
	private throttle(ip: string, path: string): boolean {
		const window = Math.floor(Date.now() / 60000);
		const over = (key: string, limit: number): boolean => {
			if (!(limit > 0)) return false;
			const k = `${key}:${window}`;
			const n = (this.throttles.get(k) ?? 0) + 1;
			this.throttles.set(k, n);
			return n > limit;
		};
		if (over(`req/ip:${ip}`, this.options.rateLimitPerMinute)) return true;
		const search = /^\/api\/v1\/accounts\/(\d+)\/contacts\/search/.exec(path);
		return !!search && over(`contact_search:${search[1]}`, this.options.contactSearchPerMinute);
	}

	private dispatch(
		method: string,
		path: string,
		query: Record<string, string>,
		headers: http.IncomingHttpHeaders,
		parsed: { fields: Record<string, any>; files: UploadedFile[] },
		call: ChatwootApiCall,
	): Reply {
		const match = this.router.match(method, path);
		// CHOICE: Rails' JSON answer for an unknown route.
		if (match === undefined || match === 'method') return { status: 404, body: { status: 404, error: 'Not Found' } };
		const route = match.handler;
		const ctx: Ctx = { params: match.params, query, body: { ...query, ...parsed.fields }, files: parsed.files, headers };
		if (route.access === 'public') return route.handler(ctx);

		const token = headerValue(headers.api_access_token);
		// Api::BaseController: without the header it is devise_token_auth's sign-in check.
		if (!token) return { status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } };
		const caller = this.callerFor(token);
		if (!caller) return INVALID_TOKEN;
		call.caller = caller.kind === 'user' ? `user:${caller.user.id}` : `bot:${caller.bot.id}`;
		if (caller.kind === 'bot' && !route.bot) return BOT_FORBIDDEN;
		ctx.caller = caller;
		if (route.access === 'account') {
			const account = this.accounts.get(Number(match.params.account_id));
			if (!account) return NOT_FOUND;
			// EnsureCurrentAccountHelper: a user must belong to the account; a bot must be connected to one of its inboxes.
			const member =
				caller.kind === 'user'
					? caller.user.roles.has(account.id)
					: caller.bot.accountId === account.id && [...this.inboxes.values()].some((i) => i.accountId === account.id && i.agentBotId === caller.bot.id);
			if (!member) return error(401, 'You are not authorized to access this account');
			if (route.admin && (caller.kind !== 'user' || caller.user.roles.get(account.id) !== 'administrator')) return NOT_AUTHORIZED;
			ctx.account = account;
		}
		return route.handler(ctx);
	}

	private callerFor(token: string): Caller | undefined {
		const user = [...this.users.values()].find((u) => u.accessToken === token);
		if (user) return { kind: 'user', user };
		const bot = [...this.agentBots.values()].find((b) => b.accessToken === token);
		return bot ? { kind: 'bot', bot } : undefined;
	}

	protected add(method: string, pattern: string, def: Omit<RouteDef, 'handler'>, handler: RouteDef['handler']): void {
		this.router.add(method, pattern, { ...def, handler });
	}

	/** The name activity messages give to whoever called. */
	protected actorName(ctx: Ctx): string {
		return ctx.caller?.kind === 'user' ? ctx.caller.user.name : ctx.caller?.kind === 'bot' ? ctx.caller.bot.name : 'System';
	}

	// The control API (simulator.ts).
	protected abstract handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
	const v = Array.isArray(value) ? value[0] : value;
	return v && v.trim() !== '' ? v.trim() : undefined;
}

/** Rails' nested parameter names, one level deep: `content_attributes[x]` → `{content_attributes: {x}}`. */
function setField(fields: Record<string, any>, name: string, value: string): void {
	const nested = /^([^[\]]+)\[([^[\]]+)\]$/.exec(name);
	if (nested) {
		fields[nested[1]] = isObject(fields[nested[1]]) ? fields[nested[1]] : {};
		fields[nested[1]][nested[2]] = value;
	} else {
		fields[name.replace(/\[\]$/, '')] = value;
	}
}
