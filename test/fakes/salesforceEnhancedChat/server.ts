import * as http from 'http';

import { Router, injectedFault, queryOf, readBody, sendJson } from '../http';
import { API, SSE_PATH, fail } from './common';
import type { Ctx, EnhancedChatApiCall, Reply, TokenRecord } from './common';
import { EnhancedChatEventRouter } from './eventRouter';
import { readLimited } from './wire';

interface Route {
	/** true: the route needs a valid Bearer token, checked before `run`. */
	auth: boolean;
	run: (ctx: Ctx, token: TokenRecord) => Reply;
}

/**
 * The HTTP side: routing, the call log, injected failures, the SSE path, hosted media and the
 * control routes (`/_control`, simulator.ts).
 */
export abstract class EnhancedChatServer extends EnhancedChatEventRouter {
	private router = this.buildRouter();

	private buildRouter(): Router<Route> {
		const router = new Router<Route>();
		const open = (method: string, path: string, run: (ctx: Ctx) => Reply) =>
			router.add(method, `${API}${path}`, { auth: false, run: (ctx) => run(ctx) });
		const auth = (method: string, path: string, run: (ctx: Ctx, token: TokenRecord) => Reply) =>
			router.add(method, `${API}${path}`, { auth: true, run });
		open('POST', '/authorization/unauthenticated/access-token', (ctx) => this.accessToken(ctx, false));
		open('POST', '/authorization/authenticated/access-token', (ctx) => this.accessToken(ctx, true));
		// These two check the Bearer token themselves (continuation counts against the renew limit first).
		open('DELETE', '/authorization/authenticated/access-token', (ctx) => this.revokeToken(ctx));
		open('GET', '/authorization/continuation-access-token', (ctx) => this.continuationToken(ctx));
		auth('POST', '/conversation', (ctx, token) => this.createConversation(ctx, token));
		auth('GET', '/conversation/list', (ctx, token) => this.listConversations(ctx, token));
		auth('GET', '/conversation/:id', (ctx, token) => this.conversationStatus(ctx, token));
		auth('DELETE', '/conversation/:id', (ctx, token) => this.closeConversation(ctx, token));
		auth('POST', '/conversation/:id/message', (ctx, token) => this.sendMessage(ctx, token));
		auth('POST', '/conversation/:id/file', (ctx, token) => this.sendFile(ctx, token));
		auth('POST', '/conversation/:id/entry', (ctx, token) => this.sendTyping(ctx, token));
		auth('POST', '/conversation/:id/acknowledge-entries', (ctx, token) => this.acknowledge(ctx, token));
		auth('GET', '/conversation/:id/entries', (ctx, token) => this.listEntries(ctx, token));
		auth('DELETE', '/conversation/:id/session', (ctx, token) => this.endSessionByEndUser(ctx, token));
		return router;
	}

	protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname;
		if (path === '/_control' || path.startsWith('/_control/')) {
			this.handleControl(method, path, await readBody(req, 50 * 1024 * 1024), res);
			return;
		}
		const mediaMatch = /^\/media\/([^/]+)$/.exec(path);
		if (method === 'GET' && mediaMatch) {
			const file = this.media.get(decodeURIComponent(mediaMatch[1]));
			if (!file) {
				sendJson(res, 404, { message: 'File not found' });
				return;
			}
			res.writeHead(200, { 'Content-Type': file.mimeType, 'Content-Length': String(file.data.length) });
			res.end(file.data);
			return;
		}
		const call: EnhancedChatApiCall = { at: Date.now(), method, path, query: queryOf(url), headers: req.headers };
		this.calls.push(call);
		if (path === SSE_PATH) {
			if (method !== 'GET') this.answer(res, call, fail(405, 'Use GET'));
			else this.openStream(req, res, call);
			return;
		}
		const { raw, tooLarge } = await readLimited(req, this.options.maxFileBytes + 1024 * 1024);
		const fault = this.takeFault(method, path);
		if (fault) {
			call.injected = true;
			this.answer(res, call, fault);
			return;
		}
		const match = this.router.match(method, path);
		if (match === undefined) {
			this.answer(res, call, fail(404, `No route ${method} ${path}`));
			return;
		}
		if (match === 'method') {
			this.answer(res, call, fail(405, `Method ${method} not allowed on ${path}`));
			return;
		}
		const multipart = /multipart\/form-data/i.test(String(req.headers['content-type'] ?? ''));
		let body: unknown = undefined;
		if (tooLarge) {
			if (!path.endsWith('/file')) {
				this.answer(res, call, fail(413, 'Request body is too large'));
				return;
			}
		} else if (!multipart && raw.length > 0) {
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				this.answer(res, call, fail(400, 'Request body is not valid JSON'));
				return;
			}
			call.body = body;
		}
		const ctx: Ctx = { method, path, params: match.params, query: call.query, headers: req.headers, body, raw, tooLarge, call };
		let reply: Reply;
		if (match.handler.auth) {
			const token = this.bearer(req.headers);
			reply = 'status' in token ? token : match.handler.run(ctx, token);
		} else {
			reply = match.handler.run(ctx, undefined as never);
		}
		this.answer(res, call, reply);
	}

	/** failNext rules first, then the random `faults` option; API calls only (not SSE, media, control). */
	private takeFault(method: string, path: string): Reply | undefined {
		const rule = this.failRules.find(
			(r) =>
				(r.method === undefined || r.method.toUpperCase() === method) &&
				(typeof r.path === 'string' ? r.path === path : r.path.test(path)),
		);
		if (rule) {
			rule.count -= 1;
			if (rule.count <= 0) this.failRules.splice(this.failRules.indexOf(rule), 1);
			return { status: rule.status, body: rule.body ?? { message: 'Injected failure' } };
		}
		const status = injectedFault(this.options.faults);
		return status === undefined ? undefined : { status, body: { message: 'Injected failure' } };
	}

	// The control API (simulator.ts).
	protected abstract handleControl(method: string, path: string, raw: string, res: http.ServerResponse): void;
}
