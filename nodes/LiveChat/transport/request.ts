import type { IDataObject } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../../shared';
import { callApi, describeErrorBody } from '../../shared';
import { identityKey, personalTokenSecret } from '../identity';

// The credential's settings and the one request helper every LiveChat call goes through. The
// LiveChat facts this file relies on, with their sources: docs/platforms/livechat.md.

export const LIVECHAT_CREDENTIAL = 'liveChatApi';

export type LiveChatApiName = 'agent' | 'customer' | 'configuration';

export interface LiveChatConfig {
	/** Without trailing slash, e.g. https://api.livechatinc.com */
	apiUrl: string;
	/** e.g. v3.6 */
	apiVersion: string;
	accountsUrl: string;
	organizationId: string;
	clientId: string;
	/**
	 * How customer tokens are issued. LiveChat's agent-token grant takes agent tokens of every flow
	 * except personal access tokens, so a PAT credential uses the cookie grant.
	 */
	customerGrant: 'cookie' | 'agent_token';
	/** Cookie grant: one of the URLs of the app's Authorization block. */
	customerRedirectUri: string;
	/** Cookie grant: seals the customers' cookies kept in chat properties. */
	identityKey?: Buffer;
}

export async function liveChatConfig(context: RequestContext): Promise<LiveChatConfig> {
	const credentials = await context.getCredentials(LIVECHAT_CREDENTIAL);
	const version = String(credentials.apiVersion || 'v3.6').trim();
	const organizationId = String(credentials.organizationId ?? '').trim();
	const clientId = String(credentials.clientId ?? '').trim();
	const customerGrant = credentials.authType === 'bearer' ? 'agent_token' : 'cookie';
	return {
		apiUrl: String(credentials.apiUrl || 'https://api.livechatinc.com').replace(/\/+$/, ''),
		apiVersion: version.startsWith('v') ? version : `v${version}`,
		accountsUrl: String(credentials.accountsUrl || 'https://accounts.livechat.com').replace(/\/+$/, ''),
		organizationId,
		clientId,
		customerGrant,
		customerRedirectUri: String(credentials.customerRedirectUri ?? '').trim(),
		identityKey: customerGrant === 'cookie' ? identityKey(personalTokenSecret(credentials), organizationId, clientId) : undefined,
	};
}

/**
 * LiveChat answers errors as `{"error": {"type", "message"}}`: "Chat is inactive (chat_inactive)";
 * its accounts server as `{"oauth_exception", "exception_description"}`.
 */
export function liveChatErrorText(body: unknown): string {
	if (body && typeof body === 'object' && !Array.isArray(body)) {
		const { oauth_exception: exception, exception_description: description } = body as IDataObject;
		if (typeof exception === 'string' && exception) {
			return typeof description === 'string' && description ? `${description} (${exception})` : exception;
		}
		const error = (body as IDataObject).error;
		if (error && typeof error === 'object') {
			const { type, message } = error as IDataObject;
			if (typeof message === 'string' && message) {
				return typeof type === 'string' && type ? `${message} (${type})` : message;
			}
			if (typeof type === 'string' && type) return type;
		}
	}
	return describeErrorBody(body);
}

export function liveChatErrorType(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const error = (body as IDataObject).error;
	if (!error || typeof error !== 'object') return undefined;
	const type = (error as IDataObject).type;
	return typeof type === 'string' ? type : undefined;
}

/**
 * Bots may act through an agent's token with `X-Author-Id` only up to API v3.5: v3.6 removed that
 * mechanism (Agent Chat API changelog). Bot calls therefore go to v3.5 when the credential is set
 * to a later version.
 */
export function botApiVersion(version: string): string {
	const match = /^v?(\d+)\.(\d+)$/.exec(version);
	if (!match) return 'v3.5';
	const [major, minor] = [Number(match[1]), Number(match[2])];
	return major < 3 || (major === 3 && minor <= 5) ? `v${major}.${minor}` : 'v3.5';
}

export interface LiveChatRequest {
	api: LiveChatApiName;
	/** The action, e.g. `send_event`. */
	action: string;
	/** What the user asked for, in words, for error messages. */
	call: string;
	body?: IDataObject;
	itemIndex?: number;
	/** Headers of this call, e.g. a customer's `Authorization: Bearer …` or `X-Author-Id`. */
	headers?: IDataObject;
	/** Overrides the credential's API version (bot calls). */
	apiVersion?: string;
	acceptStatuses?: number[];
	/** Overrides the default retries (60 s), e.g. for a call the platform's answer waits for. */
	retry?: RetryPolicy;
	timeoutMs?: number;
}

export async function liveChatRequest(this: RequestContext, request: LiveChatRequest): Promise<ApiResponse> {
	const config = await liveChatConfig(this);
	const version = request.apiVersion ?? config.apiVersion;
	const qs: IDataObject | undefined =
		request.api === 'customer' ? { organization_id: config.organizationId } : undefined;
	return await callApi.call(this, {
		platform: 'LiveChat',
		credentialType: LIVECHAT_CREDENTIAL,
		call: request.call,
		method: 'POST',
		url: `${config.apiUrl}/${version}/${request.api}/action/${request.action}`,
		body: request.body ?? {},
		qs,
		headers: { 'Content-Type': 'application/json', ...request.headers },
		itemIndex: request.itemIndex,
		errorText: liveChatErrorText,
		acceptStatuses: request.acceptStatuses,
		retry: request.retry,
		timeoutMs: request.timeoutMs,
	});
}

/** Calls LiveChat and returns the JSON body (`{}` for LiveChat's empty 200 answers). */
export async function liveChatApi(this: RequestContext, request: LiveChatRequest): Promise<IDataObject> {
	const response = await liveChatRequest.call(this, request);
	const body = response.body;
	if (body === undefined || body === null || body === '') return {};
	return body as IDataObject;
}
