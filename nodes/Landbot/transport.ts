import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../shared';
import { callApi, describeErrorBody, RequestPacer } from '../shared';

export const LANDBOT_CREDENTIAL = 'landbotApi';

/**
 * Landbot allows 10 requests/s per token and answers 429 with no Retry-After: wait a little more
 * than the one-second window before the first retry.
 */
const LANDBOT_RETRY: RetryPolicy = {
	maxAttempts: 6,
	baseDelayMs: 1100,
	maxDelayMs: 10_000,
	maxTotalMs: 60_000,
};

/** Landbot's limit is 10 requests per second per token: stay just under it, per credential, in this process. */
const pacer = new RequestPacer(10, 1100);

export interface LandbotRequest {
	call: string;
	method: IHttpRequestMethods;
	/** Relative to the API root, without leading slash; Landbot paths end with "/". */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	itemIndex?: number;
	acceptStatuses?: number[];
}

async function baseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(LANDBOT_CREDENTIAL);
	return String(credentials.baseUrl || 'https://api.landbot.io/v1').replace(/\/+$/, '');
}

export async function landbotRequest(this: RequestContext, request: LandbotRequest): Promise<ApiResponse> {
	const path = request.path.endsWith('/') ? request.path : `${request.path}/`;
	return await callApi.call(this, {
		platform: 'Landbot',
		credentialType: LANDBOT_CREDENTIAL,
		call: request.call,
		method: request.method,
		url: `${await baseUrl(this)}/${path}`,
		body: request.body,
		qs: request.qs,
		itemIndex: request.itemIndex,
		retry: LANDBOT_RETRY,
		errorText: describeErrorBody,
		acceptStatuses: request.acceptStatuses,
		pace: () => pacer.wait(this.getNode().credentials?.[LANDBOT_CREDENTIAL]?.id ?? 'landbot'),
	});
}

/** Calls Landbot and returns the JSON body. */
export async function landbotApi(this: RequestContext, request: LandbotRequest): Promise<IDataObject> {
	const response = await landbotRequest.call(this, request);
	return (response.body ?? {}) as IDataObject;
}

/**
 * Landbot pages with offset/limit (max 100) and reports `total`. Collects `listKey` across pages
 * until `limit` items (or all, when limit is undefined).
 */
export async function landbotList(
	this: RequestContext,
	request: LandbotRequest,
	listKey: string,
	limit?: number,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	let offset = Number(request.qs?.offset ?? 0);
	for (;;) {
		const pageSize = Math.min(100, limit === undefined ? 100 : limit - results.length);
		const page = await landbotApi.call(this, {
			...request,
			qs: { ...request.qs, offset, limit: pageSize },
		});
		const items = (page[listKey] as IDataObject[] | undefined) ?? [];
		results.push(...items);
		offset += items.length;
		const total = typeof page.total === 'number' ? page.total : undefined;
		const done =
			items.length === 0 ||
			items.length < pageSize ||
			(total !== undefined && offset >= total) ||
			(limit !== undefined && results.length >= limit);
		if (done) return limit === undefined ? results : results.slice(0, limit);
	}
}
