import * as http from 'http';
import * as crypto from 'crypto';

import { isObject, queryOf, sendJson } from '../http';
import { SUPPORTED_VERSIONS, fail, readRaw } from './common';
import type { Ctx, Identity, LiveChatAgent, LiveChatApiCall, Reply } from './common';
import { LiveChatConfigurationApi } from './configurationApi';

/** The HTTP side: routing a request to its API, authentication, rate limits, recorded calls. */
export abstract class LiveChatServer extends LiveChatConfigurationApi {
	// ---------------------------------------------------------------- internals: HTTP

	protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = (req.method ?? 'GET').toUpperCase();
		let raw: Buffer;
		try {
			raw = await readRaw(req);
		} catch {
			this.reply(res, fail('entity_too_large'));
			return;
		}
		const path = url.pathname;

		if (path === '/_control' || path.startsWith('/_control/')) {
			this.handleControl(method, path, raw, res);
			return;
		}
		if (method === 'GET' && path.startsWith('/cdn/')) {
			const file = this.files.get(`${this.baseUrl}${path}`);
			if (!file) sendJson(res, 404, { error: { type: 'not_found', message: 'File not found' } });
			else {
				res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.data.length) });
				res.end(file.data);
			}
			return;
		}
		if (path === '/v2/customer/token') {
			this.reply(res, this.record(req, raw, url, 'accounts', 'customer_token', 'v2', () => this.customerTokenRoute(req, raw)));
			return;
		}
		const match = /^\/(v\d+\.\d+)\/(agent|customer|configuration)\/action\/([a-z_]+)$/.exec(path);
		if (!match) {
			sendJson(res, 404, { error: { type: 'not_found', message: `No route ${method} ${path}` } });
			return;
		}
		const [, version, api, action] = match;
		this.reply(
			res,
			this.record(req, raw, url, api, action, version, () => {
				if (method !== 'POST') return fail('validation', 'Use POST');
				if (!SUPPORTED_VERSIONS.includes(version)) return fail('unsupported_version');
				const who = this.authenticate(req, api, queryOf(url));
				if ('status' in who) return who;
				const limited = this.rateLimited(who.token);
				if (limited) return limited;
				let body: any = {};
				const contentType = String(req.headers['content-type'] ?? '');
				if (action !== 'upload_file') {
					if (raw.length > 0) {
						try {
							body = JSON.parse(raw.toString('utf8'));
						} catch {
							return fail('validation', 'Invalid JSON');
						}
					}
					if (!isObject(body)) return fail('validation', 'Request body must be a JSON object');
				} else if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
					return fail('validation', 'upload_file needs multipart/form-data');
				}
				let actorId = who.kind === 'agent' ? who.agent.id : who.customer.id;
				const authorHeader = req.headers['x-author-id'];
				if (authorHeader !== undefined) {
					// Docs: X-Author-Id works up to v3.5; v3.6 removed it in favour of bot tokens.
					if (version !== 'v3.5' || api !== 'agent') {
						return fail('validation', 'X-Author-Id header is not supported in this API version');
					}
					const botId = String(authorHeader);
					if (!this.bots.has(botId)) return fail('not_found', `Bot ${botId} not found`);
					actorId = botId;
				}
				const ctx: Ctx = { version, body, query: queryOf(url), headers: req.headers, who, actorId, raw };
				if (api === 'agent') return this.agentAction(action, ctx);
				if (api === 'customer') return this.customerAction(action, ctx);
				return this.configurationAction(action, ctx);
			}),
		);
	}

	private reply(res: http.ServerResponse, reply: Reply): void {
		const single: Record<string, string> = {};
		for (const [name, value] of Object.entries(reply.headers ?? {})) {
			if (Array.isArray(value)) res.setHeader(name, value);
			else single[name] = value;
		}
		sendJson(res, reply.status, reply.body, single);
	}

	private record(
		req: http.IncomingMessage,
		raw: Buffer,
		url: URL,
		api: string,
		action: string,
		version: string,
		run: () => Reply,
	): Reply {
		let body: unknown = undefined;
		const contentType = String(req.headers['content-type'] ?? '');
		if (contentType.includes('json')) {
			try {
				body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
			} catch {
				body = raw.toString('utf8');
			}
		} else if (raw.length > 0) {
			body = `<${raw.length} bytes ${contentType}>`;
		}
		const call: LiveChatApiCall = {
			at: Date.now(),
			method: req.method ?? 'POST',
			path: url.pathname,
			api,
			action,
			version,
			query: queryOf(url),
			headers: req.headers,
			body,
		};
		this.calls.push(call);
		const reply = run();
		call.status = reply.status;
		return reply;
	}

	private rateLimited(identity: string): Reply | undefined {
		const { requests, windowMs } = this.options.rateLimit;
		if (!requests) return undefined;
		const now = Date.now();
		const recent = (this.rateWindows.get(identity) ?? []).filter((at) => now - at < windowMs);
		if (recent.length >= requests) {
			this.rateWindows.set(identity, recent);
			// UNCONFIRMED: whether LiveChat sends Retry-After; the simulator does, rounded up to seconds.
			const wait = Math.ceil((windowMs - (now - recent[0])) / 1000);
			return { ...fail('too_many_requests'), headers: { 'Retry-After': String(Math.max(1, wait)) } };
		}
		recent.push(now);
		this.rateWindows.set(identity, recent);
		return undefined;
	}

	/** Agent and Configuration APIs: PAT as Basic, or an agent Bearer token. Customer API: a customer token. */
	private authenticate(req: http.IncomingMessage, api: string, query: Record<string, string>): Identity | Reply {
		const header = String(req.headers.authorization ?? '');
		const [scheme, value] = header.trim().split(/\s+/, 2);
		if (api === 'customer') {
			if (!query.organization_id) return fail('validation', 'organization_id is required');
			if (query.organization_id !== this.organizationId) return fail('validation', 'Organization not found');
			if (scheme?.toLowerCase() !== 'bearer' || !value) return fail('authentication');
			const entry = this.customerTokens.get(value);
			if (!entry || entry.expiresAt <= Date.now()) return fail('authentication');
			const customer = this.customers.get(entry.entityId);
			if (!customer) return fail('authentication');
			return { kind: 'customer', customer, token: value, clientId: entry.clientId };
		}
		const agent = this.agentFromAuthorization(scheme, value);
		if (!agent) return fail('authentication');
		return { kind: 'agent', agent, token: value };
	}

	private agentFromAuthorization(scheme: string | undefined, value: string | undefined): LiveChatAgent | undefined {
		if (!scheme || !value) return undefined;
		if (scheme.toLowerCase() === 'bearer') {
			const id = this.agentTokens.get(value);
			return id ? this.agents.get(id) : undefined;
		}
		if (scheme.toLowerCase() !== 'basic') return undefined;
		const decoded = Buffer.from(value, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon <= 0) return undefined;
		const entry = this.pats.get(decoded.slice(0, colon));
		if (!entry) return undefined;
		const given = Buffer.from(decoded.slice(colon + 1));
		const expected = Buffer.from(entry.pat);
		if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
		return this.agents.get(entry.agentId);
	}

	// The control API (simulator.ts).
	protected abstract handleControl(method: string, path: string, raw: Buffer, res: http.ServerResponse): void;
}
