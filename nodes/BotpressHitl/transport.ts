import type { IDataObject } from 'n8n-workflow';

import type { ApiResponse, RequestContext, RetryPolicy } from '../shared';
import { callApi, describeErrorBody } from '../shared';

export const BOTPRESS_CREDENTIAL = 'botpressHitlApi';

/** The three paths the HITL API integration serves under its webhook URL (docs/platforms/botpress-hitl.md). */
export type BotpressPath = '/message-from-agent' | '/agent-assigned' | '/stop-hitl';

/**
 * Botpress publishes no rate limit and sends no Retry-After. Its webhook answers 5xx when the
 * integration's handler fails; a few quick retries cover a cold start without holding an
 * execution for a minute.
 */
const BOTPRESS_RETRY: RetryPolicy = {
	maxAttempts: 4,
	baseDelayMs: 1000,
	maxDelayMs: 8000,
	maxTotalMs: 30_000,
};

export interface BotpressRequest {
	call: string;
	path: BotpressPath;
	body: IDataObject;
	itemIndex?: number;
}

/** The integration's webhook URL from the credential, without trailing slash. */
export async function webhookBaseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(BOTPRESS_CREDENTIAL);
	return String(credentials.webhookUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
}

/** POSTs a JSON body to `{webhook URL}{path}` through the credential (shared secret header, if set). */
export async function botpressRequest(this: RequestContext, request: BotpressRequest): Promise<ApiResponse> {
	return await callApi.call(this, {
		platform: 'Botpress',
		credentialType: BOTPRESS_CREDENTIAL,
		call: request.call,
		method: 'POST',
		url: `${await webhookBaseUrl(this)}${request.path}`,
		body: request.body,
		itemIndex: request.itemIndex,
		retry: BOTPRESS_RETRY,
		errorText: describeErrorBody,
	});
}
