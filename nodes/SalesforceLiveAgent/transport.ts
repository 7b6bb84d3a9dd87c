import type { IDataObject, IHttpRequestMethods, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../shared';
import { callApi, describeErrorBody } from '../shared';
import type { LiveAgentSession } from './session';

export const LIVE_AGENT_CREDENTIAL = 'salesforceLiveAgentApi';

const PLATFORM = 'Salesforce Live Agent';

export interface LiveAgentConfig {
	/** e.g. https://d.la1-c1-ia2.salesforceliveagent.com/chat/rest (no trailing slash) */
	baseUrl: string;
	organizationId: string;
	deploymentId: string;
	buttonId: string;
}

/**
 * The Chat API endpoint as people paste it — a bare host, with or without https://, /chat or
 * /chat/rest, with or without a trailing slash — always ends in /chat/rest. (The credential test
 * does the same in an expression.)
 */
export function chatApiBaseUrl(endpoint: string): string {
	let url = endpoint.trim();
	if (!/^https?:\/\//i.test(url)) url = `https://${url}`;
	return url.replace(/\/+$/, '').replace(/(?:\/chat(?:\/rest)?)?$/i, '/chat/rest');
}

export async function liveAgentConfig(context: RequestContext): Promise<LiveAgentConfig> {
	const credentials = await context.getCredentials(LIVE_AGENT_CREDENTIAL);
	return {
		baseUrl: chatApiBaseUrl(String(credentials.chatApiEndpoint ?? '')),
		organizationId: String(credentials.organizationId ?? '').trim(),
		deploymentId: String(credentials.deploymentId ?? '').trim(),
		buttonId: String(credentials.buttonId ?? '').trim(),
	};
}

/** Which of the Live Agent headers a call carries besides X-LIVEAGENT-API-VERSION (set by the credential). */
export type SessionHeaders =
	/** Visitor/Availability: none. */
	| { kind: 'none' }
	/** System/SessionId: X-LIVEAGENT-AFFINITY is the literal `null` (there is no session yet). */
	| { kind: 'new' }
	/** Messages, DELETE SessionId: affinity and session key. */
	| { kind: 'session'; session: LiveAgentSession }
	/** Every Chasitor POST: affinity, session key and X-LIVEAGENT-SEQUENCE. */
	| { kind: 'post'; session: LiveAgentSession };

export interface LiveAgentRequest {
	call: string;
	method: IHttpRequestMethods;
	/** Below /chat/rest, without leading slash, e.g. `Chasitor/ChatMessage`. */
	path: string;
	headers: SessionHeaders;
	body?: IDataObject;
	qs?: IDataObject;
	itemIndex?: number;
	/** 403 (session gone) is always handled here; list other statuses the caller handles. */
	acceptStatuses?: number[];
	/** Hand a 403 back instead of failing with "session ended". */
	accept403?: boolean;
	/** HTTP timeout of this call; callApi's default otherwise. */
	timeoutMs?: number;
	retry?: RetryPolicy;
}

function headersFor(spec: SessionHeaders): IDataObject {
	switch (spec.kind) {
		case 'none':
			return {};
		case 'new':
			return { 'X-LIVEAGENT-AFFINITY': 'null' };
		case 'session':
			return {
				'X-LIVEAGENT-AFFINITY': spec.session.affinityToken,
				'X-LIVEAGENT-SESSION-KEY': spec.session.key,
			};
		case 'post':
			return {
				'X-LIVEAGENT-AFFINITY': spec.session.affinityToken,
				'X-LIVEAGENT-SESSION-KEY': spec.session.key,
				'X-LIVEAGENT-SEQUENCE': String(spec.session.sequence),
			};
	}
}

/** The error a 403 becomes: the chat is over or the session expired; the session key is never shown. */
export function sessionEndedError(context: RequestContext, call: string, body: unknown, itemIndex?: number): NodeApiError {
	const said = describeErrorBody(body);
	return new NodeApiError(context.getNode(), { message: said || 'Forbidden' } as JsonObject, {
		message: `Live Agent session ended (403): "${call}" found no live session${said ? ` (${said})` : ''}`,
		description:
			'The chat has ended, the session expired (no Messages poll within clientPollTimeout) or it never existed. Start a new one with Create Session; in a polling loop, turn on "Return Ended Instead of Failing" to get an item with ended: true instead.',
		httpCode: '403',
		itemIndex,
	});
}

/**
 * The one place that talks HTTP to the Live Agent server: through callApi (retries on 429, 5xx
 * and dropped connections — a retried POST keeps its X-LIVEAGENT-SEQUENCE, so the server drops the
 * duplicate), with the Live Agent headers the call needs. A 403 means the session is gone.
 */
export async function liveAgentRequest(this: RequestContext, request: LiveAgentRequest): Promise<ApiResponse> {
	const config = await liveAgentConfig(this);
	const response = await callApi.call(this, {
		platform: PLATFORM,
		credentialType: LIVE_AGENT_CREDENTIAL,
		call: request.call,
		method: request.method,
		url: `${config.baseUrl}/${request.path}`,
		body: request.body,
		qs: request.qs,
		headers: {
			...(request.body ? { 'Content-Type': 'application/json' } : {}),
			...headersFor(request.headers),
		},
		itemIndex: request.itemIndex,
		retry: request.retry,
		errorText: describeErrorBody,
		acceptStatuses: [403, ...(request.acceptStatuses ?? [])],
		timeoutMs: request.timeoutMs,
	});
	if (response.statusCode === 403 && !request.accept403) {
		throw sessionEndedError(this, request.call, response.body, request.itemIndex);
	}
	return response;
}
