import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	ITriggerFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { describeErrorBody, platformApiError } from './errors';

export type RequestContext =
	| IExecuteFunctions
	| IHookFunctions
	| ILoadOptionsFunctions
	| IWebhookFunctions
	| ITriggerFunctions;

export interface RetryPolicy {
	/** Tries in all, the first one included; 429 answers do not count (only maxTotalMs bounds them). */
	maxAttempts: number;
	/** First wait when the platform gives no Retry-After; doubled on each retry. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** No retry is started once this much time has passed since the first try. */
	maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
	maxAttempts: 6,
	baseDelayMs: 500,
	maxDelayMs: 15_000,
	maxTotalMs: 60_000,
};

export interface ApiCall {
	platform: string;
	credentialType: string;
	/** The operation in words, used in error messages. */
	call: string;
	method: IHttpRequestMethods;
	/** Absolute URL. */
	url: string;
	body?: IDataObject | IDataObject[];
	qs?: IDataObject;
	headers?: IDataObject;
	itemIndex?: number;
	retry?: RetryPolicy;
	/** The platform's error text from its error body; defaults to `describeErrorBody`. */
	errorText?: (body: unknown) => string;
	/** Statuses answered without an error (e.g. 404 on a lookup that may miss). */
	acceptStatuses?: number[];
	/** HTTP timeout of one try; 30 s by default (a long poll needs more). */
	timeoutMs?: number;
	/** Waits for a slot under the platform's rate limit before each try (see RequestPacer). */
	pace?: () => Promise<void>;
}

export interface ApiResponse {
	statusCode: number;
	body: unknown;
	headers: IDataObject;
}

const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ECONNABORTED',
]);

function isRetryableStatus(status: number): boolean {
	return status === 429 || (status >= 500 && status <= 599);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function networkErrorCode(error: unknown): string | undefined {
	let current = error as { code?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current && depth < 4; depth++) {
		if (typeof current.code === 'string' && RETRYABLE_NETWORK_CODES.has(current.code)) return current.code;
		current = current.cause as typeof current;
	}
	return undefined;
}

function backoffMs(policy: RetryPolicy, retry: number): number {
	const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
	// Up to 20 % jitter so parallel executions hitting the same limit spread out.
	return Math.round(exponential * (1 + Math.random() * 0.2));
}

/**
 * The one way this package calls a platform: through n8n's credential-aware HTTP helper, retrying
 * 429, 5xx and dropped connections with backoff (honouring Retry-After), within a bounded number
 * of tries (429s are not counted: they wait) and total time, then failing with an error that names
 * the platform, the call and the platform's own message.
 */
export async function callApi(this: RequestContext, call: ApiCall): Promise<ApiResponse> {
	const policy = call.retry ?? DEFAULT_RETRY;
	const started = Date.now();
	const options: IHttpRequestOptions = {
		method: call.method,
		url: call.url,
		qs: call.qs,
		body: call.body,
		headers: { Accept: 'application/json', ...call.headers },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: call.timeoutMs ?? 30_000,
	};

	for (let attempt = 1; ; attempt++) {
		let response: IN8nHttpFullResponse | undefined;
		let waitMs: number | undefined;
		await call.pace?.();
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				call.credentialType,
				options,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			if (!networkErrorCode(error)) {
				throw new NodeApiError(this.getNode(), error as JsonObject, {
					message: `${call.platform}: "${call.call}" failed: ${(error as Error).message}`,
					itemIndex: call.itemIndex,
				});
			}
			waitMs = backoffMs(policy, attempt - 1);
			if (attempt >= policy.maxAttempts || Date.now() - started + waitMs > policy.maxTotalMs) {
				throw new NodeApiError(this.getNode(), error as JsonObject, {
					message: `${call.platform} could not be reached for "${call.call}" after ${attempt} tries: ${(error as Error).message}`,
					itemIndex: call.itemIndex,
				});
			}
		}

		if (response) {
			const status = response.statusCode;
			if ((status >= 200 && status < 300) || call.acceptStatuses?.includes(status)) {
				return { statusCode: status, body: response.body, headers: response.headers as IDataObject };
			}
			const retryable = isRetryableStatus(status);
			if (retryable) {
				waitMs = retryAfterMs(response.headers?.['retry-after']) ?? backoffMs(policy, attempt - 1);
			}
			const outOfTime = waitMs !== undefined && Date.now() - started + waitMs > policy.maxTotalMs;
			// A rate limit says "later", not "failed": it is waited out for as long as the time bound allows.
			const outOfTries = attempt >= policy.maxAttempts && status !== 429;
			if (!retryable || outOfTries || outOfTime) {
				const text = (call.errorText ?? describeErrorBody)(response.body);
				throw platformApiError(this.getNode(), {
					platform: call.platform,
					call: call.call,
					method: call.method,
					path: new URL(call.url).pathname,
					status,
					platformMessage: retryable ? `${text} (gave up after ${attempt} tries)` : text,
					body: response.body,
					itemIndex: call.itemIndex,
				});
			}
		}
		await sleep(waitMs ?? 0);
	}
}
