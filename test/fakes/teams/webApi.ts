import * as crypto from 'crypto';
import * as http from 'http';

import { Router, injectedFault, queryOf, readRaw } from '../http';
import { LIFECYCLE_URL_REQUIRED_AFTER_MINUTES, MAX_CHAT_MESSAGE_SUBSCRIPTION_MINUTES, graphError, tokenError } from './common';
import type { GraphApiCall, Reply, SubscriptionRecord } from './common';
import { TeamsNotifications } from './subscriptions';

export interface GraphContext {
	/** The signed-in user the access token acts for. */
	user: string;
	params: Record<string, string>;
	query: Record<string, string>;
	body: any;
	version: string;
	call: GraphApiCall;
}

export type GraphRoute = (ctx: GraphContext) => Reply | Promise<Reply>;

/**
 * The HTTP side: https://graph.microsoft.com/{v1.0|beta}/… (Bearer access token; errors as
 * `{error: {code, message, innerError}}`) and the identity platform's token endpoint
 * https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token (the refresh_token grant n8n uses
 * after a 401). Subscriptions live here; channel messages in messagesApi.ts.
 */
export abstract class TeamsWebApi extends TeamsNotifications {
	protected routes = new Router<GraphRoute>();

	/** The request handler, for the TLS proxy (graph.microsoft.com, login.microsoftonline.com) or any server. */
	readonly handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
		this.handle(req, res).catch((err) => {
			if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
			res.end(`simulator error: ${String(err?.message ?? err)}`);
		});
	};

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const host = String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
		const url = new URL(req.url ?? '/', `https://${host || 'graph.microsoft.com'}`);
		const raw = (await readRaw(req)).toString('utf8');
		const method = (req.method ?? 'GET').toUpperCase();
		const versioned = /^\/(v1\.0|beta)(\/.*)$/.exec(url.pathname);
		const call: GraphApiCall = {
			at: Date.now(),
			host,
			method,
			path: versioned ? versioned[2] : url.pathname,
			version: versioned ? versioned[1] : '',
			query: queryOf(url),
			headers: { ...req.headers },
		};
		this.calls.push(call);
		let reply: Reply;
		if (host === 'login.microsoftonline.com') {
			reply = this.tokenEndpoint(url.pathname, raw, req.headers);
		} else if (!versioned) {
			reply = graphError(400, 'BadRequest', 'Invalid version.');
		} else {
			let body: unknown;
			try {
				body = raw.trim() === '' ? undefined : JSON.parse(raw);
			} catch {
				body = Symbol.for('invalid');
			}
			call.body = typeof body === 'symbol' ? raw : body;
			reply = await this.graph(call, body);
		}
		call.status = reply.status;
		const errorCode = (reply.body as { error?: { code?: string } | string } | undefined)?.error;
		if (errorCode) call.errorCode = typeof errorCode === 'string' ? errorCode : errorCode.code;
		const text = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
		res.writeHead(reply.status, {
			...(reply.body !== undefined ? { 'Content-Type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' } : {}),
			'Content-Length': String(Buffer.byteLength(text)),
			...(reply.headers ?? {}),
		});
		res.end(text);
	}

	private async graph(call: GraphApiCall, body: unknown): Promise<Reply> {
		const status = injectedFault(this.options.faults);
		if (status !== undefined) {
			call.injected = true;
			return status === 429
				? graphError(429, 'TooManyRequests', 'Too many requests.', { 'Retry-After': '1' })
				: graphError(status, 'ServiceNotAvailable', 'The service is temporarily unavailable (injected).');
		}
		const auth = this.authenticate(call.headers.authorization);
		if ('status' in auth) return auth;
		if (typeof body === 'symbol') return graphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
		const match = this.routes.match(call.method, call.path);
		if (match === undefined) return graphError(400, 'BadRequest', `Resource not found for the segment '${call.path.split('/').filter(Boolean).pop() ?? ''}'.`);
		if (match === 'method') return graphError(405, 'UnknownError', 'No HTTP resource was found that matches the request URI.');
		return match.handler({ user: auth.user, params: match.params, query: call.query, body, version: call.version, call });
	}

	/** 401 with `WWW-Authenticate: Bearer …` and code InvalidAuthenticationToken, as Graph answers. */
	private authenticate(header: unknown): { user: string } | Reply {
		const wwwAuthenticate = {
			'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
		};
		const m = /^Bearer\s+(\S+)\s*$/i.exec(String(header ?? ''));
		if (!m) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', wwwAuthenticate);
		const token = this.accessTokens.get(m[1]);
		if (!token) return graphError(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).', wwwAuthenticate);
		if (token.expiresAt <= Date.now()) return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.', wwwAuthenticate);
		return { user: token.user };
	}

	/** POST /{tenant}/oauth2/v2.0/token: the refresh_token grant (client id and secret in the body or as Basic auth). */
	private tokenEndpoint(path: string, raw: string, headers: http.IncomingHttpHeaders): Reply {
		if (!/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) return { status: 404, text: 'Not Found', headers: { 'Content-Type': 'text/html' } };
		const form = new URLSearchParams(raw);
		let clientId = form.get('client_id') ?? undefined;
		let clientSecret = form.get('client_secret') ?? undefined;
		const basic = /^Basic\s+(\S+)$/i.exec(String(headers.authorization ?? ''));
		if (basic) {
			const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':').map((s) => decodeURIComponent(s));
			clientId = clientId ?? id;
			clientSecret = clientSecret ?? secret;
		}
		const grant = form.get('grant_type');
		if (grant !== 'refresh_token') {
			return tokenError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
		}
		if (clientId !== this.options.clientId) {
			return tokenError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory '${this.options.tenantId}'.`);
		}
		if (clientSecret !== this.options.clientSecret) {
			return tokenError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
		}
		const user = this.refreshTokens.get(form.get('refresh_token') ?? '');
		if (!user) return tokenError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
		// A new refresh token with every use; the old one stays valid until it expires (inferred).
		const { token, expiresIn } = this.newAccessToken(user);
		const refreshToken = `0.AXoA-${token.slice(-24)}`;
		this.refreshTokens.set(refreshToken, user);
		return {
			status: 200,
			headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
			body: {
				token_type: 'Bearer',
				scope: form.get('scope') ?? 'ChannelMessage.Read.All ChannelMessage.Send Group.ReadWrite.All User.Read.All',
				expires_in: expiresIn,
				ext_expires_in: expiresIn,
				access_token: token,
				refresh_token: refreshToken,
			},
		};
	}

	// ---------------------------------------------------------------- subscriptions

	protected registerSubscriptionRoutes(): void {
		this.routes.add('GET', '/subscriptions', (ctx) => this.listSubscriptions(ctx));
		this.routes.add('POST', '/subscriptions', (ctx) => this.createSubscription(ctx));
		this.routes.add('GET', '/subscriptions/:id', (ctx) => {
			const s = this.ownSubscription(ctx);
			return 'status' in s ? s : { status: 200, body: { '@odata.context': `https://graph.microsoft.com/${ctx.version}/$metadata#subscriptions/$entity`, ...this.subscriptionView(s) } };
		});
		this.routes.add('PATCH', '/subscriptions/:id', (ctx) => this.renewSubscription(ctx));
		this.routes.add('DELETE', '/subscriptions/:id', (ctx) => {
			const s = this.ownSubscription(ctx);
			if ('status' in s) return s;
			this.subscriptions.delete(s.id);
			return { status: 204 };
		});
	}

	/** Delegated: the subscriptions the signed-in user's app created (Graph lists no others). */
	private listSubscriptions(ctx: GraphContext): Reply {
		const value = [...this.subscriptions.values()].filter((s) => s.creatorId === ctx.user && Date.parse(s.expirationDateTime) > Date.now());
		return { status: 200, body: { '@odata.context': `https://graph.microsoft.com/${ctx.version}/$metadata#subscriptions`, value: value.map((s) => this.subscriptionView(s)) } };
	}

	/**
	 * An expired subscription is gone as far as Graph goes: not listed, not renewed (the docs say to
	 * create a new one), so GET, PATCH and DELETE answer it 404 like an unknown id (inferred).
	 */
	private ownSubscription(ctx: GraphContext): SubscriptionRecord | Reply {
		const s = this.subscriptions.get(ctx.params.id);
		if (!s || s.creatorId !== ctx.user || Date.parse(s.expirationDateTime) <= Date.now()) return graphError(404, 'ResourceNotFound', `The object was not found.`);
		return s;
	}

	/**
	 * The expiration rules for channel messages: in the future, at most 4320 min, over 1 h only with
	 * lifecycle notifications. Codes and messages of these checks follow Graph's where known (the
	 * lifecycle one is quoted from the docs); the rest is inferred wording.
	 */
	private checkExpiration(expiration: unknown, lifecycleUrl: unknown): string | undefined {
		const at = typeof expiration === 'string' ? Date.parse(expiration) : NaN;
		if (!Number.isFinite(at)) return 'expirationDateTime is a required property for subscription creation.';
		const minutes = (at - Date.now()) / 60_000;
		if (minutes <= 0) return 'Subscription expiration can only be in the future.';
		if (minutes > MAX_CHAT_MESSAGE_SUBSCRIPTION_MINUTES) return `Subscription expiration can only be ${MAX_CHAT_MESSAGE_SUBSCRIPTION_MINUTES} minutes in the future.`;
		if (minutes > LIFECYCLE_URL_REQUIRED_AFTER_MINUTES && !lifecycleUrl) {
			return 'lifecycleNotificationUrl is a required property for subscription creation on this resource when the expirationDateTime value is set to greater than 1 hour.';
		}
		return undefined;
	}

	private async createSubscription(ctx: GraphContext): Promise<Reply> {
		const b = ctx.body ?? {};
		for (const field of ['changeType', 'notificationUrl', 'resource']) {
			if (typeof b[field] !== 'string' || b[field] === '') return graphError(400, 'ValidationError', `${field} is a required property for subscription creation.`);
		}
		const changeTypes = String(b.changeType).split(',').map((c) => c.trim());
		if (!changeTypes.every((c) => ['created', 'updated', 'deleted'].includes(c))) return graphError(400, 'ValidationError', `Invalid changeType '${b.changeType}'.`);
		for (const field of ['notificationUrl', 'lifecycleNotificationUrl']) {
			if (b[field] !== undefined && !/^https:\/\//i.test(String(b[field]))) return graphError(400, 'ValidationError', `The ${field} must be a valid HTTPS URL.`);
		}
		if (typeof b.clientState === 'string' && b.clientState.length > 128) return graphError(400, 'ValidationError', 'clientState cannot exceed 128 characters.');
		const resource = /^\/?teams\/([^/]+)\/channels\/([^/]+)\/messages$/.exec(String(b.resource));
		if (!resource) return graphError(400, 'ExtensionError', `Resource '${b.resource}' is not supported by this simulator (only /teams/{id}/channels/{id}/messages).`);
		const [, teamId, channelId] = resource.map((s) => decodeURIComponent(s));
		const channel = this.channels.get(channelId);
		if (!channel || channel.teamId !== teamId) return graphError(404, 'NotFound', 'Resource not found');
		if (!this.teams.get(teamId)?.members.has(ctx.user)) return graphError(403, 'Forbidden', 'Caller is not a member of the team.');
		if (b.includeResourceData === true && !b.encryptionCertificate) {
			return graphError(400, 'ValidationError', 'encryptionCertificate is a required property for subscription creation with includeResourceData.');
		}
		const expirationError = this.checkExpiration(b.expirationDateTime, b.lifecycleNotificationUrl);
		if (expirationError) return graphError(400, 'ValidationError', expirationError);
		const id = crypto.randomUUID();
		// Both URLs are validated before the subscription exists (the same URL twice when they are equal).
		for (const url of [b.notificationUrl, b.lifecycleNotificationUrl].filter(Boolean) as string[]) {
			const result = await this.validateUrl(url, id);
			if (!result.ok) return graphError(400, 'ValidationError', result.reason ?? 'Subscription validation request failed.');
		}
		const record: SubscriptionRecord = {
			id,
			resource: String(b.resource),
			changeType: String(b.changeType),
			notificationUrl: b.notificationUrl,
			lifecycleNotificationUrl: b.lifecycleNotificationUrl,
			clientState: typeof b.clientState === 'string' ? b.clientState : undefined,
			expirationDateTime: new Date(Date.parse(b.expirationDateTime)).toISOString().replace('Z', '0000Z'),
			latestSupportedTlsVersion: typeof b.latestSupportedTlsVersion === 'string' ? b.latestSupportedTlsVersion : 'v1_2',
			includeResourceData: b.includeResourceData === true,
			creatorId: ctx.user,
			teamId,
			channelId,
		};
		this.subscriptions.set(id, record);
		return { status: 201, body: { '@odata.context': `https://graph.microsoft.com/${ctx.version}/$metadata#subscriptions/$entity`, ...this.subscriptionView(record) } };
	}

	private renewSubscription(ctx: GraphContext): Reply {
		const s = this.ownSubscription(ctx);
		if ('status' in s) return s;
		const expirationError = this.checkExpiration(ctx.body?.expirationDateTime, s.lifecycleNotificationUrl);
		if (expirationError) return graphError(400, 'ValidationError', expirationError);
		s.expirationDateTime = new Date(Date.parse(ctx.body.expirationDateTime)).toISOString().replace('Z', '0000Z');
		return { status: 200, body: { '@odata.context': `https://graph.microsoft.com/${ctx.version}/$metadata#subscriptions/$entity`, ...this.subscriptionView(s) } };
	}
}
