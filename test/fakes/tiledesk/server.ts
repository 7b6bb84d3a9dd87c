import * as http from 'http';

import { parseJsonBody, queryOf, readBody, sendJson, sendText } from '../http';
import { injectedFault } from '../http';
import { NOT_MEMBER, ROLE_INCLUDES, UNAUTHORIZED, WRONG_ROLE, audienceOf, decodeJwt, verifyJwt } from './common';
import type { AuthUser, Ctx, Reply, RequestRecord, RouteDef, TiledeskApiCall } from './common';
import { TiledeskRequests } from './requests';

/**
 * The HTTP side: routing a request, authentication (JWT, Basic) and project roles, recorded calls.
 */
export abstract class TiledeskServer extends TiledeskRequests {
	// ---------------------------------------------------------------- internals: HTTP

	protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const rawBody = await readBody(req);
		const method = (req.method ?? 'GET').toUpperCase();
		// Express (non-strict routing): a trailing slash is ignored.
		const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;

		if (path === '/_control' || path.startsWith('/_control/')) {
			await this.handleControl(method, path, rawBody, res);
			return;
		}

		let body: unknown;
		let badJson = false;
		try {
			body = parseJsonBody(rawBody);
		} catch {
			badJson = true;
			body = rawBody;
		}
		const call: TiledeskApiCall = { at: Date.now(), method, path: url.pathname, query: queryOf(url), headers: req.headers, body };
		this.calls.push(call);

		const fault = injectedFault(this.options.faults);
		if (fault !== undefined) {
			call.status = fault;
			call.injected = true;
			sendJson(res, fault, { success: false, msg: 'Injected failure' });
			return;
		}
		const reply = badJson
			? { status: 400, text: 'Bad Request: invalid JSON body' }
			: this.dispatch(method, path, call.query, req.headers, body);
		call.status = reply.status;
		if (reply.text !== undefined) sendText(res, reply.status, reply.text, reply.headers);
		else sendJson(res, reply.status, reply.body === undefined ? null : reply.body, reply.headers);
	}

	private dispatch(
		method: string,
		path: string,
		query: Record<string, string>,
		headers: http.IncomingHttpHeaders,
		body: unknown,
	): Reply {
		const match = this.router.match(method, path);
		// Express answers unknown routes (and known paths with another method) with 404 "Cannot X".
		if (match === undefined || match === 'method') return { status: 404, text: `Cannot ${method} ${path}` };
		const { access, handler } = match.handler;
		const ctx: Ctx = {
			params: match.params,
			query,
			body: body ?? {},
			auth: { _id: '', guest: true },
			pu: undefined,
			headers,
		};
		if (access !== 'public') {
			const auth = this.authenticate(headers.authorization);
			if (!auth) return UNAUTHORIZED;
			ctx.auth = auth;
			// tiledesk-server middleware/has-role.js: the subscription type passes hasRoleOrTypes without any
			// project check; elsewhere a subscription has no project user: "you dont belong to the project".
			if (auth.subscription) return access.subscription ? handler(ctx) : NOT_MEMBER;
			const pu = this.projectUsers.find(
				(p) => p.id_project === match.params.projectid && (p.id_user === auth._id || p.uuid_user === auth._id),
			);
			if (!pu || pu.status !== 'active') return NOT_MEMBER;
			if (access.role && !ROLE_INCLUDES[pu.role].includes(access.role)) return WRONG_ROLE;
			ctx.pu = pu;
		}
		return handler(ctx);
	}

	/** Sheet: `Authorization: JWT <jwt>` or HTTP Basic `email:password` (passport 'jwt' and 'basic'). */
	private authenticate(header: string | undefined): AuthUser | undefined {
		if (!header) return undefined;
		const [scheme, ...rest] = header.trim().split(/\s+/);
		const value = rest.join(' ');
		if (scheme.toLowerCase() === 'jwt') {
			const payload = this.verifyAnyJwt(value);
			if (!payload || typeof payload._id !== 'string') return undefined;
			this.knownSecrets.add(value);
			// tiledesk-server middleware/passport.js: `sub: subscription` logs in as the subscription named by
			// `_id` (the secret was picked by `aud`, which may name another one: reproduced as it is).
			if (payload.sub === 'subscription') {
				const subscription = this.subscriptions.find((s) => s._id === payload._id);
				return subscription ? { _id: subscription._id, guest: false, subscription: true } : undefined;
			}
			// middleware/passport.js: a custom visitor token carries its user in the payload.
			if (payload.sub === 'userexternal') {
				return { _id: payload._id, email: payload.email, firstname: payload.firstname, lastname: payload.lastname, guest: true };
			}
			const user = this.users.get(payload._id);
			if (user) return { _id: user._id, email: user.email, firstname: user.firstname, lastname: user.lastname, guest: false };
			const guest = this.guests.get(payload._id);
			if (guest) return { _id: guest._id, email: guest.email, firstname: guest.firstname, lastname: guest.lastname, guest: true };
			return undefined;
		}
		if (scheme.toLowerCase() === 'basic') {
			const decoded = Buffer.from(value, 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon < 0) return undefined;
			const email = decoded.slice(0, colon).toLowerCase();
			const password = decoded.slice(colon + 1);
			const user = [...this.users.values()].find((u) => u.email === email);
			if (!user || user.password !== password) return undefined;
			this.knownSecrets.add(value);
			return { _id: user._id, email: user.email, firstname: user.firstname, lastname: user.lastname, guest: false };
		}
		return undefined;
	}

	/**
	 * middleware/passport.js secretOrKeyProvider: the secret depends on the token's audience —
	 * `…/projects/{id}` the project's shared secret, `…/subscriptions/{id}` the subscription's
	 * secret, anything else the server's own. (`…/bots/{id}` tokens are not simulated.)
	 */
	private secretForAudience(aud: unknown): string | undefined {
		const audience = audienceOf(aud);
		if (audience?.[0] === 'projects') return audience[1] ? this.projectSecrets.get(audience[1]) : undefined;
		if (audience?.[0] === 'subscriptions') {
			return audience[1] ? this.subscriptions.find((s) => s._id === audience[1])?.secret : undefined;
		}
		if (audience?.[0] === 'bots') return undefined;
		return this.options.jwtSecret;
	}

	protected verifyAnyJwt(token: string): Record<string, any> | undefined {
		const secret = this.secretForAudience(decodeJwt(token)?.aud);
		return secret === undefined ? undefined : verifyJwt(token, secret);
	}

	protected add(method: string, pattern: string, access: RouteDef['access'], handler: (ctx: Ctx) => Reply): void {
		this.router.add(method, pattern, { access, handler });
	}

	/** Wraps a handler that needs an existing request of the project. */
	protected withRequest(
		notFound: Reply,
		handler: (ctx: Ctx, r: RequestRecord) => Reply,
	): (ctx: Ctx) => Reply {
		return (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			return r ? handler(ctx, r) : notFound;
		};
	}

	// The control API (simulator.ts).
	protected abstract handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void>;
}
