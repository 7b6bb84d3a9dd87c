import * as http from 'http';
import * as crypto from 'crypto';

import { clone, isObject } from '../http';
import { LiveChatAgentApi } from './agentApi';
import { cookiesOf, fail, oauthFail, ok, setCookie } from './common';
import type { ChatRecord, ClientRecord, Ctx, LiveChatCustomer, LiveChatEvent, Reply } from './common';

/**
 * The Customer Chat API's actions, and the accounts server's customer tokens
 * (`/v2/customer/token`).
 */
export abstract class LiveChatCustomerApi extends LiveChatAgentApi {
	/**
	 * Accounts `POST /v2/customer/token` (docs: authorization/customer-authorization, Customer
	 * Accounts API spec). Every refusal is a 401 with `{oauth_exception, exception_description}`.
	 * CHOICE: the identity_token grant is not simulated (unsupported_grant_type).
	 */
	protected customerTokenRoute(req: http.IncomingMessage, raw: Buffer): Reply {
		// Docs: invalid_request for a wrong HTTP method or an invalid body encoding.
		if ((req.method ?? '').toUpperCase() !== 'POST') return oauthFail('invalid_request');
		let body: any;
		try {
			body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
		} catch {
			return oauthFail('invalid_request');
		}
		if (!isObject(body)) return oauthFail('invalid_request');
		if (body.grant_type !== 'agent_token' && body.grant_type !== 'cookie') return oauthFail('unsupported_grant_type');
		if (body.response_type === undefined) return oauthFail('invalid_request');
		if (body.response_type !== 'token') return oauthFail('unsupported_response_type');
		// Docs: unauthorized_client for a missing or unknown client ID (detail client_id_not_found).
		const client = typeof body.client_id === 'string' ? this.clients.get(body.client_id) : undefined;
		if (!client) return oauthFail('unauthorized_client', 'client_id_not_found');
		return body.grant_type === 'cookie' ? this.cookieGrant(req, body, client) : this.agentTokenGrant(req, body, client);
	}

	/**
	 * Agent-token grant: an agent access token as Bearer; docs: every agent authorization flow's
	 * tokens "except for Personal Access Tokens". UNCONFIRMED: the exception LiveChat names for a
	 * personal access token (Basic) or no token — invalid_request here; an unknown or expired Bearer
	 * token is invalid_grant (docs: "access token expired" among its reasons).
	 */
	private agentTokenGrant(req: http.IncomingMessage, body: any, client: ClientRecord): Reply {
		const [scheme, value] = String(req.headers.authorization ?? '').trim().split(/\s+/, 2);
		if (scheme?.toLowerCase() !== 'bearer' || !value) return oauthFail('invalid_request');
		if (!this.agentTokens.has(value)) return oauthFail('invalid_grant');
		let customer: LiveChatCustomer | undefined;
		if (body.entity_id !== undefined) {
			customer = this.customers.get(String(body.entity_id));
			// UNCONFIRMED: the exception for an entity_id that is no customer.
			if (!customer) return oauthFail('invalid_request');
		} else {
			customer = this.customers.get(this.createCustomer().id)!;
		}
		return ok({ ...this.issueCustomerToken(customer.id, client.id), client_id: client.id });
	}

	/**
	 * Cookie grant: no agent token; `organization_id` required; `redirect_uri` (default: the Origin
	 * header) must be one of the app's redirect URIs, exactly. The `__lc_cid` / `__lc_cst` cookies
	 * sent back identify the existing customer; the answer sets them again (their lifetime renewed).
	 * UNCONFIRMED: an Authorization header is ignored. GUESS: an unknown or mismatched cookie pair
	 * gets a new identity, as a browser without cookies would.
	 */
	private cookieGrant(req: http.IncomingMessage, body: any, client: ClientRecord): Reply {
		// UNCONFIRMED: the exception for a missing or foreign organization_id.
		if (typeof body.organization_id !== 'string' || body.organization_id !== this.organizationId) return oauthFail('invalid_request');
		if (client.redirectUris.length === 0) return oauthFail('unauthorized_client', 'redirect_uri_not_set');
		const redirectUri = typeof body.redirect_uri === 'string' && body.redirect_uri !== '' ? body.redirect_uri : req.headers.origin;
		if (typeof redirectUri !== 'string' || !client.redirectUris.includes(redirectUri)) {
			return oauthFail('unauthorized_client', 'invalid_redirect_uri');
		}
		const sent = cookiesOf(req.headers.cookie);
		const known = sent.__lc_cid ? this.cookieIdentities.get(sent.__lc_cid) : undefined;
		let cid = sent.__lc_cid;
		let entry = known && known.cst === sent.__lc_cst ? known : undefined;
		if (!entry || !this.customers.has(entry.entityId)) {
			cid = crypto.randomUUID();
			entry = { cst: crypto.randomBytes(36).toString('hex'), entityId: this.createCustomer().id };
			this.issuedSecrets.add(entry.cst);
			this.cookieIdentities.set(cid, entry);
		}
		const { client_id: _client, ...token } = this.issueCustomerToken(entry.entityId, client.id);
		return {
			...ok(token),
			headers: { 'Set-Cookie': [setCookie('__lc_cid', cid), setCookie('__lc_cst', entry.cst)] },
		};
	}

	private issueCustomerToken(entityId: string, clientId: string): Record<string, unknown> {
		const token = `dal:${crypto.randomBytes(18).toString('base64url')}`;
		const ttl = this.options.customerTokenTtlSec;
		this.customerTokens.set(token, { entityId, clientId, expiresAt: Date.now() + ttl * 1000 });
		this.issuedSecrets.add(token);
		return {
			access_token: token,
			client_id: clientId,
			entity_id: entityId,
			expires_in: ttl,
			token_type: 'Bearer',
			organization_id: this.organizationId,
		};
	}

	protected customerAction(action: string, ctx: Ctx): Reply {
		const { body } = ctx;
		if (ctx.who.kind !== 'customer') return fail('authentication');
		const customer = ctx.who.customer;
		const mine = (chat: ChatRecord) => chat.users.some((u) => u.id === customer.id);
		switch (action) {
			case 'get_customer':
				return ok(clone(customer));
			case 'update_customer': {
				for (const key of ['name', 'email', 'avatar']) {
					if (body[key] !== undefined) {
						if (typeof body[key] !== 'string') return fail('validation', `${key} must be a string`);
						(customer as unknown as Record<string, unknown>)[key] = body[key];
					}
				}
				if (Array.isArray(body.session_fields)) customer.session_fields = clone(body.session_fields);
				return ok({});
			}
			case 'list_chats': {
				const chats = [...this.chats.values()].filter(mine).sort((a, b) => b.touched - a.touched);
				return ok({ chats_summary: chats.map((c) => this.summaryJson(c)), total_chats: chats.length });
			}
			case 'get_chat': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				if (!mine(chat)) return fail('not_found', 'Chat not found');
				const json = this.chatJson(chat);
				const thread = json.thread as Record<string, unknown> | undefined;
				if (thread) thread.events = (thread.events as LiveChatEvent[]).filter((e) => e.visibility === 'all');
				return ok(json);
			}
			case 'start_chat':
				return this.startChat(customer.id, 'customer', body);
			case 'resume_chat':
				return this.resumeChat(customer.id, 'customer', body);
			case 'deactivate_chat': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				if (!mine(chat)) return fail('not_found', 'Chat not found');
				return this.deactivateChat(chat, customer.id, true);
			}
			case 'send_event': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				if (!mine(chat)) return fail('validation', 'Author is not present in the chat');
				if (isObject(body.event) && body.event.visibility === 'agents') {
					return fail('validation', 'Customers cannot send events with visibility agents');
				}
				if (isObject(body.event) && body.event.type === 'rich_message') {
					return fail('validation', 'Customers cannot send rich messages');
				}
				return this.sendEvent(chat, customer.id, body.event);
			}
			case 'upload_file':
				return this.uploadFile(ctx);
			default:
				return fail('validation', `Unknown action ${action}`);
		}
	}
}
