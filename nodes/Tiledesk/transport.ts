import { createHmac } from 'crypto';
import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../shared';
import { callApi, describeErrorBody } from '../shared';

export const TILEDESK_CREDENTIAL = 'tiledeskApi';
export const TILEDESK_CLOUD_URL = 'https://api.tiledesk.com/v3';

export interface TiledeskProject {
	/** API root without trailing slash. */
	baseUrl: string;
	projectId: string;
	/** The project's shared secret (custom-token sign-in), '' when not given. */
	sharedSecret: string;
}

export async function tiledeskProject(context: RequestContext): Promise<TiledeskProject> {
	const credentials = await context.getCredentials(TILEDESK_CREDENTIAL);
	return {
		baseUrl: String(credentials.baseUrl || TILEDESK_CLOUD_URL).replace(/\/+$/, ''),
		projectId: String(credentials.projectId ?? '').trim(),
		sharedSecret: String(credentials.sharedSecret ?? ''),
	};
}

export interface TiledeskRequest {
	call: string;
	method: IHttpRequestMethods;
	/**
	 * Relative to the project (`requests/…` → `{base}/{projectId}/requests/…`), or, starting with
	 * "/", relative to the API root (`/auth/…`).
	 */
	path: string;
	body?: IDataObject | IDataObject[];
	qs?: IDataObject;
	headers?: IDataObject;
	itemIndex?: number;
	acceptStatuses?: number[];
	/** Overrides the default retries (60 s), e.g. for a call the platform's answer waits for. */
	retry?: RetryPolicy;
	timeoutMs?: number;
}

/** Tiledesk answers errors as `{success:false, msg}`, `{success:false, error}` or express-validator's `{errors:[{msg}]}`. */
export function tiledeskErrorText(body: unknown): string {
	return describeErrorBody(body);
}

/** Path segments come from users and payloads: keep them inside their segment. */
export function segment(value: string): string {
	return encodeURIComponent(value);
}

export async function tiledeskRequest(this: RequestContext, request: TiledeskRequest): Promise<ApiResponse> {
	const project = await tiledeskProject(this);
	const url = request.path.startsWith('/')
		? `${project.baseUrl}${request.path}`
		: `${project.baseUrl}/${segment(project.projectId)}/${request.path}`;
	return await callApi.call(this, {
		platform: 'Tiledesk',
		credentialType: TILEDESK_CREDENTIAL,
		call: request.call,
		method: request.method,
		url,
		body: request.body,
		qs: request.qs,
		headers: request.headers,
		itemIndex: request.itemIndex,
		errorText: tiledeskErrorText,
		acceptStatuses: request.acceptStatuses,
		retry: request.retry,
		timeoutMs: request.timeoutMs,
	});
}

/** Calls Tiledesk and returns the JSON body. */
export async function tiledeskApi(this: RequestContext, request: TiledeskRequest): Promise<IDataObject> {
	const response = await tiledeskRequest.call(this, request);
	return (response.body ?? {}) as IDataObject;
}

/** Tiledesk pages lists with `page` (from 0) and `limit` (at most 100) and reports `count`. */
export async function tiledeskRequestList(
	this: RequestContext,
	request: TiledeskRequest,
	limit?: number,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	for (let page = 0; ; page++) {
		const pageSize = Math.min(100, limit === undefined ? 100 : Math.max(1, limit - results.length));
		const body = await tiledeskApi.call(this, { ...request, qs: { ...request.qs, page, limit: pageSize } });
		const items = Array.isArray(body.requests) ? (body.requests as IDataObject[]) : [];
		results.push(...items);
		const count = typeof body.count === 'number' ? body.count : undefined;
		const done =
			items.length < pageSize ||
			(count !== undefined && results.length >= count) ||
			(limit !== undefined && results.length >= limit);
		if (done) return limit === undefined ? results : results.slice(0, limit);
	}
}

function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64url');
}

/**
 * An HS256 JWT, as Tiledesk verifies them by their audience: a custom visitor token with the
 * project's shared secret, a subscription's login with the subscription's secret.
 */
export function signJwt(payload: IDataObject, secret: string): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const body = base64url(JSON.stringify(payload));
	const signature = base64url(createHmac('sha256', secret).update(`${header}.${body}`).digest());
	return `${header}.${body}.${signature}`;
}

export interface EndUser {
	id: string;
	name: string;
}

/**
 * Makes `user.id` a known user of the project (a project user with that id), which Tiledesk
 * requires of the sender of a conversation's first message: a custom token for the user, signed
 * with the project's shared secret, exchanged at `/auth/signinWithCustomToken`. Idempotent.
 * Returns false when the credential holds no shared secret.
 */
export async function registerEndUser(this: RequestContext, user: EndUser, itemIndex?: number): Promise<boolean> {
	const project = await tiledeskProject(this);
	if (!project.sharedSecret) return false;
	const now = Math.floor(Date.now() / 1000);
	const token = signJwt(
		{
			_id: user.id,
			firstname: user.name || user.id,
			lastname: '',
			sub: 'userexternal',
			aud: `https://tiledesk.com/projects/${project.projectId}`,
			iat: now,
			exp: now + 300,
		},
		project.sharedSecret,
	);
	await tiledeskRequest.call(this, {
		call: 'register end user',
		method: 'POST',
		path: '/auth/signinWithCustomToken',
		body: { id_project: project.projectId },
		headers: { Authorization: `JWT ${token}` },
		itemIndex,
	});
	return true;
}
