import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../shared';
import { callApi, describeErrorBody, isObject, textOf } from '../shared';

export const CRISP_CREDENTIAL = 'crispApi';
export const CRISP_API_URL = 'https://api.crisp.chat';

export async function crispApiUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(CRISP_CREDENTIAL);
	return String(credentials.apiUrl || CRISP_API_URL).trim().replace(/\/+$/, '');
}

/** The credential's website, unless `override` names another (a plugin token serves many). */
export async function crispWebsiteId(context: RequestContext, override = '', itemIndex?: number): Promise<string> {
	const credentials = await context.getCredentials(CRISP_CREDENTIAL);
	const websiteId = override.trim() || String(credentials.websiteId ?? '').trim();
	if (websiteId === '') {
		throw new NodeOperationError(context.getNode(), '"Website ID" is empty: set it in the node or in the Crisp API credential', { itemIndex });
	}
	return websiteId;
}

export interface CrispRequest {
	call: string;
	method: IHttpRequestMethods;
	/** Relative to the website: `conversation/{sid}/state` → `{api}/v1/website/{website}/conversation/{sid}/state`. */
	path: string;
	websiteId: string;
	body?: IDataObject;
	qs?: IDataObject;
	itemIndex?: number;
	acceptStatuses?: number[];
	retry?: RetryPolicy;
	timeoutMs?: number;
}

/** Crisp answers `{error: true, reason, data: {message}}` on a refusal. */
export function crispErrorText(body: unknown): string {
	if (isObject(body)) {
		const reason = textOf(body.reason);
		const message = isObject(body.data) ? textOf(body.data.message) : '';
		const text = [reason, message].filter(Boolean).join(': ');
		if (text) return text;
	}
	return describeErrorBody(body);
}

/** Path segments come from users and payloads: keep them inside their segment. */
export function segment(value: string | number): string {
	return encodeURIComponent(String(value));
}

export async function crispRequest(this: RequestContext, request: CrispRequest): Promise<ApiResponse> {
	const api = await crispApiUrl(this);
	return await callApi.call(this, {
		platform: 'Crisp',
		credentialType: CRISP_CREDENTIAL,
		call: request.call,
		method: request.method,
		url: `${api}/v1/website/${segment(request.websiteId)}/${request.path}`,
		body: request.body,
		qs: request.qs,
		itemIndex: request.itemIndex,
		errorText: crispErrorText,
		acceptStatuses: request.acceptStatuses,
		retry: request.retry,
		timeoutMs: request.timeoutMs,
	});
}

/** The envelope's `data` (`{error: false, reason, data}`); {} for none, an array kept as it is. */
export function dataOf(body: unknown): unknown {
	return isObject(body) && 'data' in body ? body.data : body;
}

export async function crispApi(this: RequestContext, request: CrispRequest): Promise<IDataObject> {
	const data = dataOf((await crispRequest.call(this, request)).body);
	return isObject(data) ? data : {};
}

export async function crispList(this: RequestContext, request: CrispRequest): Promise<IDataObject[]> {
	const data = dataOf((await crispRequest.call(this, request)).body);
	return Array.isArray(data) ? (data as unknown[]).filter(isObject) : [];
}

/**
 * UNCONFIRMED whether `PATCH …/meta {data}` merges the keys sent into the conversation's `data` or
 * replaces `data` with them (docs/platforms/crisp.md). `data` holds keys this package relies on (the
 * external id, the catch-up mark) and the user's own, so every write of it goes through
 * `updateMetaData`, which reads `data` first and sends it whole with the change: nothing is wiped
 * whichever Crisp does. The price: a read per write, and a key someone else sets between the two
 * calls is lost if Crisp replaces. Once Crisp is known to merge, set this to true: only the changed
 * keys are then sent (the read stays, the callers decide from what `data` holds).
 */
export const PATCH_MERGES_DATA = false;

export interface MetaDataUpdate {
	call: string;
	websiteId: string;
	sessionId: string;
	/** The keys to set, from the current `data`; null to write nothing. */
	change: (current: IDataObject) => IDataObject | null;
	/** Other meta fields sent in the same PATCH (nickname, email…). */
	meta?: IDataObject;
	itemIndex?: number;
	retry?: RetryPolicy;
	timeoutMs?: number;
}

/** Sets keys of the conversation's `meta.data`, keeping the others; the `data` sent, or null when nothing was written. */
export async function updateMetaData(this: RequestContext, update: MetaDataUpdate): Promise<IDataObject | null> {
	const { websiteId, itemIndex, retry, timeoutMs } = update;
	const path = `conversation/${segment(update.sessionId)}/meta`;
	const current = await crispApi.call(this, { call: 'read conversation meta', method: 'GET', path, websiteId, itemIndex, retry, timeoutMs });
	const data = isObject(current.data) ? current.data : {};
	const keys = update.change(data);
	if (keys === null) return null;
	const sent = PATCH_MERGES_DATA ? keys : { ...data, ...keys };
	await crispApi.call(this, { call: update.call, method: 'PATCH', path, websiteId, body: { ...update.meta, data: sent }, itemIndex, retry, timeoutMs });
	return sent;
}
