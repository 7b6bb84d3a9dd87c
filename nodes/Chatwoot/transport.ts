import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../shared';
import { callApi, describeErrorBody, isObject } from '../shared';

export const CHATWOOT_CREDENTIAL = 'chatwootApi';
export const CHATWOOT_CLOUD_URL = 'https://app.chatwoot.com';

export interface ChatwootAccount {
	/** The installation's address without trailing slash. */
	baseUrl: string;
	accountId: string;
}

export async function chatwootAccount(context: RequestContext): Promise<ChatwootAccount> {
	const credentials = await context.getCredentials(CHATWOOT_CREDENTIAL);
	return {
		baseUrl: String(credentials.baseUrl || CHATWOOT_CLOUD_URL).trim().replace(/\/+$/, ''),
		accountId: String(credentials.accountId ?? '').trim(),
	};
}

export interface ChatwootRequest {
	call: string;
	method: IHttpRequestMethods;
	/** Relative to the account: `conversations/12/messages` → `{base}/api/v1/accounts/{account}/conversations/12/messages`. */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	headers?: IDataObject;
	itemIndex?: number;
	acceptStatuses?: number[];
	retry?: RetryPolicy;
	timeoutMs?: number;
}

/** Chatwoot answers errors as `{error}`, `{message}`, `{errors: [..]}` or `{errors: {field: [..]}}`. */
export function chatwootErrorText(body: unknown): string {
	return describeErrorBody(body);
}

/** Path segments come from users and payloads: keep them inside their segment. */
export function segment(value: string | number): string {
	return encodeURIComponent(String(value));
}

export async function chatwootRequest(this: RequestContext, request: ChatwootRequest): Promise<ApiResponse> {
	const account = await chatwootAccount(this);
	return await callApi.call(this, {
		platform: 'Chatwoot',
		credentialType: CHATWOOT_CREDENTIAL,
		call: request.call,
		method: request.method,
		url: `${account.baseUrl}/api/v1/accounts/${segment(account.accountId)}/${request.path}`,
		body: request.body,
		qs: request.qs,
		headers: request.headers,
		itemIndex: request.itemIndex,
		errorText: chatwootErrorText,
		acceptStatuses: request.acceptStatuses,
		retry: request.retry,
		timeoutMs: request.timeoutMs,
	});
}

/** Calls Chatwoot and returns the JSON body ({} for none). */
export async function chatwootApi(this: RequestContext, request: ChatwootRequest): Promise<IDataObject> {
	const response = await chatwootRequest.call(this, request);
	return isObject(response.body) ? response.body : {};
}

/** Lists come bare (`/agents`, `/teams`), as `{payload: [...]}` (`/inboxes`, messages) or `{payload: {…}}`. */
export function listOf(body: unknown): IDataObject[] {
	const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.payload) ? body.payload : [];
	return (list as unknown[]).filter(isObject);
}

/** `{payload: {...}}` or the object itself. */
export function payloadOf(body: unknown): IDataObject {
	if (!isObject(body)) return {};
	return isObject(body.payload) ? body.payload : body;
}

/**
 * Sets conversation custom attributes, keeping the others. Chatwoot replaces them all unless
 * `merge` is sent, which older servers ignore: the current ones are read and sent along (a change
 * made between the two calls is lost; there is no conditional write).
 */
export async function mergeCustomAttributes(
	this: RequestContext,
	conversationId: string,
	attributes: IDataObject,
	itemIndex?: number,
	retry?: RetryPolicy,
	timeoutMs?: number,
): Promise<IDataObject> {
	const path = `conversations/${segment(conversationId)}`;
	const conversation = await chatwootApi.call(this, { call: 'get conversation', method: 'GET', path, itemIndex, retry, timeoutMs });
	const current = isObject(conversation.custom_attributes) ? conversation.custom_attributes : {};
	const merged = { ...current, ...attributes };
	await chatwootApi.call(this, {
		call: 'update custom attributes',
		method: 'POST',
		path: `${path}/custom_attributes`,
		body: { custom_attributes: merged, merge: true },
		itemIndex,
		retry,
		timeoutMs,
	});
	return merged;
}
