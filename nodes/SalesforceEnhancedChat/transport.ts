import type { IDataObject, IHttpRequestMethods, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../shared';
import { callApi, describeErrorBody } from '../shared';

export const ENHANCED_CHAT_CREDENTIAL = 'salesforceEnhancedChatApi';

export const PLATFORM = 'Salesforce Enhanced Chat';

const API = '/iamessage/api/v2';

export interface EnhancedChatConfig {
	/** e.g. https://mycompany.my.salesforce-scrt.com (no trailing slash) */
	baseUrl: string;
	organizationId: string;
	deploymentName: string;
	capabilitiesVersion: string;
}

/** The SCRT URL as people paste it: with or without https:// and a trailing slash. */
export function scrtBaseUrl(url: string): string {
	let base = url.trim();
	if (!/^https?:\/\//i.test(base)) base = `https://${base}`;
	return base.replace(/\/+$/, '');
}

export async function enhancedChatConfig(context: RequestContext): Promise<EnhancedChatConfig> {
	const credentials = await context.getCredentials(ENHANCED_CHAT_CREDENTIAL);
	return {
		baseUrl: scrtBaseUrl(String(credentials.scrtUrl ?? '')),
		organizationId: String(credentials.organizationId ?? '').trim(),
		deploymentName: String(credentials.deploymentName ?? '').trim(),
		capabilitiesVersion: String(credentials.capabilitiesVersion || '1').trim(),
	};
}

/** Where a conversation's deployment lives: the key triggers and actions of one process share. */
export function deploymentKey(config: EnhancedChatConfig): string {
	return `${config.baseUrl}|${config.organizationId}|${config.deploymentName}`;
}

export interface EnhancedChatRequest {
	call: string;
	method: IHttpRequestMethods;
	/** Below /iamessage/api/v2, e.g. `/conversation/<id>/message`. */
	path: string;
	/** The conversation's access token (Bearer); none for asking for a guest token. */
	accessToken?: string;
	body?: IDataObject;
	/** A body that is no JSON (a multipart upload), with its content type. */
	rawBody?: { data: Buffer; contentType: string };
	qs?: IDataObject;
	itemIndex?: number;
	/** Statuses the caller handles itself (e.g. 417, session ended). */
	acceptStatuses?: number[];
	retry?: RetryPolicy;
}

/** What a 401 means here: the conversation's token expired or was revoked (tokens are never shown). */
function tokenRejected(context: RequestContext, call: string, body: unknown, itemIndex?: number): NodeApiError {
	const said = describeErrorBody(body);
	return new NodeApiError(context.getNode(), { message: said || 'Unauthorized' } as JsonObject, {
		message: `${PLATFORM} refused "${call}" (401): the conversation's access token expired or was revoked${said ? ` (${said})` : ''}`,
		description:
			'Each conversation has its own access token (in "conversation.accessToken" of Start Conversation\'s output). Renew Token gets a fresh one for the same customer while the old one is still valid; once it has expired, start a new conversation.',
		httpCode: '401',
		itemIndex,
	});
}

/**
 * The one place that talks HTTP to the Enhanced Chat API: through callApi (retries on 429, 5xx
 * and dropped connections), with the conversation's Bearer token.
 */
export async function enhancedChatRequest(this: RequestContext, request: EnhancedChatRequest): Promise<ApiResponse> {
	const config = await enhancedChatConfig(this);
	const response = await callApi.call(this, {
		platform: PLATFORM,
		credentialType: ENHANCED_CHAT_CREDENTIAL,
		call: request.call,
		method: request.method,
		url: `${config.baseUrl}${API}${request.path}`,
		body: request.rawBody ? (request.rawBody.data as unknown as IDataObject) : request.body,
		qs: request.qs,
		headers: {
			...(request.body ? { 'Content-Type': 'application/json' } : {}),
			...(request.rawBody ? { 'Content-Type': request.rawBody.contentType } : {}),
			...(request.accessToken ? { Authorization: `Bearer ${request.accessToken}` } : {}),
		},
		itemIndex: request.itemIndex,
		retry: request.retry,
		acceptStatuses: [401, ...(request.acceptStatuses ?? [])],
	});
	if (response.statusCode === 401 && !request.acceptStatuses?.includes(401)) {
		throw tokenRejected(this, request.call, response.body, request.itemIndex);
	}
	return response;
}

export interface AccessToken {
	accessToken: string;
	/** Where the event stream of this token starts (Last-Event-Id of its first connection). */
	lastEventId: string;
	/** The end user Salesforce sees: one per guest token, the same for every token of a verified user. */
	subject: string;
	/** From the JWT's `exp`, when it has one (the API sends no lifetime). */
	expiresAt: string | null;
}

/** The `exp` of a JWT as ISO 8601, or null; the token is read, not verified (Salesforce signed it). */
export function jwtExpiry(token: string): string | null {
	const payload = token.split('.')[1];
	if (!payload) return null;
	try {
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as IDataObject;
		const exp = Number(claims.exp);
		return Number.isFinite(exp) && exp > 0 ? new Date(exp * 1000).toISOString() : null;
	} catch {
		return null;
	}
}

export function accessTokenOf(body: unknown, fallbackSubject = ''): AccessToken {
	const data = (body && typeof body === 'object' ? body : {}) as IDataObject;
	const context = (data.context ?? {}) as IDataObject;
	const endUser = (context.endUser ?? {}) as IDataObject;
	const accessToken = typeof data.accessToken === 'string' ? data.accessToken : '';
	return {
		accessToken,
		lastEventId: data.lastEventId === undefined || data.lastEventId === null ? '' : String(data.lastEventId),
		subject: typeof endUser.subject === 'string' ? endUser.subject : fallbackSubject,
		expiresAt: jwtExpiry(accessToken),
	};
}

/**
 * A new access token: a guest's (a new end user every time), or a verified user's when a
 * customer identity token (a JWT your app signs) is given. Salesforce answers a bad identity token
 * with a guest token, so that is checked (a verified subject has /AUTH/ in it).
 */
export async function requestAccessToken(
	this: RequestContext,
	options: { customerIdentityToken?: string; itemIndex?: number },
): Promise<AccessToken> {
	const config = await enhancedChatConfig(this);
	const verified = Boolean(options.customerIdentityToken);
	const response = await enhancedChatRequest.call(this, {
		call: verified ? 'get a verified user access token' : 'get a guest access token',
		method: 'POST',
		path: `/authorization/${verified ? 'authenticated' : 'unauthenticated'}/access-token`,
		body: {
			orgId: config.organizationId,
			esDeveloperName: config.deploymentName,
			capabilitiesVersion: config.capabilitiesVersion,
			platform: 'Web',
			context: { appName: 'n8n-nodes-handoff', clientVersion: '1' },
			...(verified ? { authorizationType: 'JWT', customerIdentityToken: options.customerIdentityToken } : {}),
		},
		itemIndex: options.itemIndex,
	});
	const token = accessTokenOf(response.body);
	if (!token.accessToken) {
		throw new NodeApiError(this.getNode(), { message: 'no accessToken in the answer' } as JsonObject, {
			message: `${PLATFORM} answered without an access token: check the credential's Organization ID and Deployment API Name`,
			itemIndex: options.itemIndex,
		});
	}
	if (verified && !token.subject.includes('/AUTH/')) {
		throw new NodeApiError(this.getNode(), { message: 'guest token for a verified user' } as JsonObject, {
			message: `${PLATFORM} did not accept the customer identity token and answered with a guest token`,
			description:
				'Check the JWT your app signs (issuer, audience, subject, expiry) against the deployment\'s User Verification settings (Setup → User Verification).',
			itemIndex: options.itemIndex,
		});
	}
	return token;
}
