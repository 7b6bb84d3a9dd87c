import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ApiResponse, RequestContext } from '../../shared';
import { callApi } from '../../shared';
import type { CustomerCookies } from '../identity';
import { cookieHeader, cookiesFromSetCookie, openIdentity, sealIdentity } from '../identity';
import { PROPERTY_CUSTOMER_IDENTITY } from '../marker';
import type { LiveChatConfig, LiveChatRequest } from './request';
import { LIVECHAT_CREDENTIAL, liveChatApi, liveChatConfig, liveChatErrorText, liveChatRequest } from './request';

// Customer access tokens: how they are issued (cookie or agent-token grant), cached and renewed,
// and the Customer Chat API calls made with them (docs/platforms/livechat.md, "Customer tokens").

interface CachedToken {
	token: string;
	/** ms since epoch */
	expiresAt: number;
}

/** Refreshed this long before LiveChat's expiry, so a token never expires in flight. */
const TOKEN_REFRESH_MARGIN_MS = 10 * 60 * 1000;
const TOKEN_CACHE_MAX = 200;

export interface CustomerToken {
	accessToken: string;
	entityId: string;
	expiresIn: number;
	/** Cookie grant: the customer's identity, sealed for the chat property PROPERTY_CUSTOMER_IDENTITY. */
	sealed?: string;
}

/** A customer the node writes as, and where their sealed identity (cookie grant) is kept. */
export interface CustomerRef {
	entityId: string;
	/** The chat whose properties keep the identity; read only when a token has to be issued. */
	chatId?: string;
	/** The chat's sealed identity when the caller has read the chat already; null: the chat has none. */
	sealed?: string | null;
}

/**
 * Customer tokens, in this process's memory only: a pure cache, correctness never depends on it.
 * Any process without it (another queue-mode worker, a restart) asks LiveChat for a token again,
 * with what the chat's properties keep. Not in workflow static data: an execution that writes
 * static data saves all of it, overwriting what the workflow's triggers keep there. Keyed by
 * Client ID and customer (tokens are issued for an app); Map order is insertion order, so the first
 * key is the oldest entry.
 */
const customerTokens = new Map<string, CachedToken>();

/** For tests (clearLiveChatCaches): forgets this process's customer tokens. */
export function clearCustomerTokens(): void {
	customerTokens.clear();
}

function tokenKey(clientId: string, entityId: string): string {
	return `${clientId}/${entityId}`;
}

function remember(key: string, token: CustomerToken): void {
	customerTokens.delete(key);
	customerTokens.set(key, { token: token.accessToken, expiresAt: Date.now() + token.expiresIn * 1000 });
	while (customerTokens.size > TOKEN_CACHE_MAX) customerTokens.delete(customerTokens.keys().next().value as string);
}

function cachedToken(clientId: string, entityId: string): CustomerToken | undefined {
	const cached = customerTokens.get(tokenKey(clientId, entityId));
	if (!cached || cached.expiresAt - TOKEN_REFRESH_MARGIN_MS <= Date.now()) return undefined;
	return { accessToken: cached.token, entityId, expiresIn: Math.floor((cached.expiresAt - Date.now()) / 1000) };
}

/** The sealed identity a chat (or chat summary) keeps in this package's properties, or null. */
export function sealedIdentityOf(chat: IDataObject, clientId: string): string | null {
	const ours = (chat.properties as IDataObject | undefined)?.[clientId] as IDataObject | undefined;
	const sealed = ours?.[PROPERTY_CUSTOMER_IDENTITY];
	return typeof sealed === 'string' && sealed !== '' ? sealed : null;
}

/**
 * Whether the node can get tokens for the chat's customer: always with the agent-token grant; with
 * the cookie grant only when the chat keeps an identity this credential can open.
 */
export function canWriteAsChatCustomer(config: LiveChatConfig, chat: IDataObject, customerId: string): boolean {
	if (config.customerGrant === 'agent_token') return true;
	if (!config.identityKey) return false;
	return openIdentity(config.identityKey, customerId, sealedIdentityOf(chat, config.clientId)) !== undefined;
}

const COOKIE_GRANT_HELP =
	'With a personal access token the node gets customer tokens through LiveChat\'s cookie grant, which needs the credential\'s Organization ID and Client ID, and as Customer Redirect URI one of the URLs in that app\'s Authorization block (Developer Console → Apps → the app → App Authorization → Redirect URI whitelist), character for character, trailing slash included.';
const AGENT_TOKEN_GRANT_HELP =
	'With a Bearer token the node gets customer tokens through LiveChat\'s agent-token grant, which needs a valid OAuth agent access token (they expire after 8 hours) with the customers:own scope, and the Client ID of an app of the token\'s organization.';

function identityMissing(node: ReturnType<RequestContext['getNode']>, who: CustomerRef, itemIndex?: number): NodeOperationError {
	const where = who.chatId ? `chat "${who.chatId}"` : 'the chat';
	return new NodeOperationError(node, `No LiveChat identity of customer "${who.entityId}" that this credential can read`, {
		itemIndex,
		description: `With a personal access token LiveChat issues a customer's tokens only for the cookies it set when the customer was created (cookie grant). "Start" keeps them, encrypted with the credential's token, in the chat property ${PROPERTY_CUSTOMER_IDENTITY}; ${where} has none this credential can open: it was started before this version of the node, its customer was not created by "Start", or the credential's token has changed. Run "Start" again for this customer (it gives them a new LiveChat identity and chat), send as an agent or a bot, or use a credential with a Bearer agent token, which may issue tokens for any customer.`,
	});
}

/** The accounts server's answer, or an error that says what to check. */
async function tokenRequest(
	this: RequestContext,
	config: LiveChatConfig,
	body: IDataObject,
	headers: IDataObject,
	call: string,
	itemIndex?: number,
): Promise<ApiResponse> {
	const response = await callApi.call(this, {
		platform: 'LiveChat',
		credentialType: LIVECHAT_CREDENTIAL,
		call,
		method: 'POST',
		url: `${config.accountsUrl}/v2/customer/token`,
		body,
		headers: { 'Content-Type': 'application/json', ...headers },
		itemIndex,
		errorText: liveChatErrorText,
		acceptStatuses: [400, 401, 403, 404],
	});
	if (response.statusCode < 400) return response;
	const text = liveChatErrorText(response.body) || `HTTP ${response.statusCode}`;
	const answer = (response.body && typeof response.body === 'object' ? response.body : { message: text }) as JsonObject;
	throw new NodeApiError(this.getNode(), answer, {
		message: `LiveChat refused "${call}" (${response.statusCode}): ${text}`,
		description: config.customerGrant === 'cookie' ? COOKIE_GRANT_HELP : AGENT_TOKEN_GRANT_HELP,
		httpCode: String(response.statusCode),
		itemIndex,
	});
}

function tokenFrom(this: RequestContext, answer: IDataObject, itemIndex?: number): CustomerToken {
	const accessToken = typeof answer.access_token === 'string' ? answer.access_token : '';
	const entityId = typeof answer.entity_id === 'string' ? answer.entity_id : '';
	if (!accessToken || !entityId) {
		throw new NodeOperationError(this.getNode(), 'LiveChat issued no customer access token', { itemIndex });
	}
	return { accessToken, entityId, expiresIn: Number(answer.expires_in) > 0 ? Number(answer.expires_in) : 28800 };
}

/** The customer's cookies from the chat's properties (read from LiveChat when the caller has not). */
async function storedCookies(
	this: RequestContext,
	config: LiveChatConfig,
	who: CustomerRef,
	itemIndex?: number,
): Promise<CustomerCookies> {
	let sealed = who.sealed;
	if (sealed === undefined && who.chatId) {
		const chat = await liveChatApi.call(this, {
			api: 'agent',
			action: 'get_chat',
			call: 'read customer identity',
			body: { chat_id: who.chatId },
			itemIndex,
		});
		sealed = sealedIdentityOf(chat, config.clientId);
		// Read once per item: a renewal right after (401) does not read the chat again.
		who.sealed = sealed;
	}
	const cookies = config.identityKey ? openIdentity(config.identityKey, who.entityId, sealed) : undefined;
	if (!cookies) throw identityMissing(this.getNode(), who, itemIndex);
	return cookies;
}

/** LiveChat renews the cookies on each grant; a changed pair is written back so the next process has it. */
async function keepRenewedIdentity(
	this: RequestContext,
	config: LiveChatConfig,
	chatId: string,
	sealed: string,
	itemIndex?: number,
): Promise<void> {
	await liveChatApi.call(this, {
		api: 'agent',
		action: 'update_chat_properties',
		call: 'store customer identity',
		body: { id: chatId, properties: { [config.clientId]: { [PROPERTY_CUSTOMER_IDENTITY]: sealed } } },
		itemIndex,
	});
}

/**
 * Cookie grant, made from the server: no agent token (the credential leaves the Authorization
 * header out), the customer's cookies when they exist. Personal access tokens may not use the
 * agent-token grant, so this is how a PAT credential writes as a customer.
 */
async function cookieGrant(
	this: RequestContext,
	config: LiveChatConfig,
	who: CustomerRef | undefined,
	itemIndex?: number,
): Promise<CustomerToken> {
	if (!config.customerRedirectUri) {
		const message = 'The LiveChat credential has no Customer Redirect URI: LiveChat needs one to issue customer tokens';
		throw new NodeOperationError(this.getNode(), message, { itemIndex, description: COOKIE_GRANT_HELP });
	}
	const known = who ? await storedCookies.call(this, config, who, itemIndex) : undefined;
	const response = await tokenRequest.call(
		this,
		config,
		{
			grant_type: 'cookie',
			client_id: config.clientId,
			response_type: 'token',
			organization_id: config.organizationId,
			redirect_uri: config.customerRedirectUri,
		},
		known ? { Cookie: cookieHeader(known) } : {},
		who ? 'issue customer token' : 'create customer identity',
		itemIndex,
	);
	const token = tokenFrom.call(this, (response.body ?? {}) as IDataObject, itemIndex);
	if (who && token.entityId !== who.entityId) {
		const message = `LiveChat took the stored identity of customer "${who.entityId}" for customer "${token.entityId}"`;
		throw new NodeOperationError(this.getNode(), message, {
			itemIndex,
			description: 'The cookies kept in the chat no longer name its customer. Run "Start" again for this customer, or send as an agent or a bot.',
		});
	}
	const cookies = cookiesFromSetCookie(response.headers['set-cookie']) ?? known;
	if (!cookies) {
		const message = 'LiveChat set no customer cookies (__lc_cid, __lc_cst) with the new customer identity';
		throw new NodeOperationError(this.getNode(), message, { itemIndex });
	}
	const sealed = sealIdentity(config.identityKey as Buffer, token.entityId, cookies);
	const renewed = known && (known.cid !== cookies.cid || known.cst !== cookies.cst);
	if (renewed && who?.chatId) await keepRenewedIdentity.call(this, config, who.chatId, sealed, itemIndex);
	return { ...token, sealed };
}

/** Agent-token grant with the credential's OAuth agent token (Bearer): any customer by entity_id. */
async function agentTokenGrant(
	this: RequestContext,
	config: LiveChatConfig,
	entityId: string | undefined,
	itemIndex?: number,
): Promise<CustomerToken> {
	const body: IDataObject = { grant_type: 'agent_token', client_id: config.clientId, response_type: 'token' };
	if (entityId) body.entity_id = entityId;
	const call = entityId ? 'issue customer token' : 'create customer identity';
	const response = await tokenRequest.call(this, config, body, {}, call, itemIndex);
	return tokenFrom.call(this, (response.body ?? {}) as IDataObject, itemIndex);
}

/**
 * A customer access token: for `who`, or for a new customer identity when it is undefined. Tokens
 * live 8 hours (expires_in 28800); they are cached in this process per customer and renewed 10
 * minutes before expiry. The grant depends on the credential (see docs/platforms/livechat.md).
 */
export async function customerToken(
	this: RequestContext,
	who: CustomerRef | undefined,
	itemIndex?: number,
	options: { renew?: boolean } = {},
): Promise<CustomerToken> {
	const config = await liveChatConfig(this);
	if (!config.clientId) {
		throw new NodeOperationError(this.getNode(), 'The LiveChat credential has no Client ID: customer tokens are issued for an app', {
			itemIndex,
		});
	}
	const cached = who && !options.renew ? cachedToken(config.clientId, who.entityId) : undefined;
	if (cached) return cached;
	const token =
		config.customerGrant === 'cookie'
			? await cookieGrant.call(this, config, who, itemIndex)
			: await agentTokenGrant.call(this, config, who?.entityId, itemIndex);
	remember(tokenKey(config.clientId, token.entityId), token);
	return token;
}

/**
 * A Customer Chat API call as customer `who`. When LiveChat refuses the token (401), a new one
 * is requested and the call is made once more with it.
 */
export async function customerApi(
	this: RequestContext,
	who: CustomerRef,
	request: Omit<LiveChatRequest, 'api' | 'headers'>,
): Promise<IDataObject> {
	for (let attempt = 1; ; attempt++) {
		const token = await customerToken.call(this, who, request.itemIndex, { renew: attempt > 1 });
		const response = await liveChatRequest.call(this, {
			...request,
			api: 'customer',
			headers: { Authorization: `Bearer ${token.accessToken}` },
			acceptStatuses: attempt === 1 ? [401, ...(request.acceptStatuses ?? [])] : request.acceptStatuses,
		});
		if (response.statusCode === 401 && attempt === 1) continue;
		const body = response.body;
		return body && typeof body === 'object' ? (body as IDataObject) : {};
	}
}
