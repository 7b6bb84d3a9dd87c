import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

export interface FailedCall {
	platform: string;
	/** What the user asked for, in words: "send text", "assign customer". */
	call: string;
	method: string;
	path: string;
	status: number;
	/** The platform's own error text, already extracted from its error body. */
	platformMessage: string;
	body: unknown;
	itemIndex?: number;
}

/**
 * The error a user sees when a platform refuses a call: it names the platform, the call and the
 * platform's own words, e.g. `Landbot refused "assign customer" (412): Customer is assigned to
 * another agent`, not "Request failed with status code 412".
 */
export function platformApiError(node: INode, failed: FailedCall): NodeApiError {
	const body =
		failed.body && typeof failed.body === 'object'
			? (failed.body as JsonObject)
			: ({ message: String(failed.body ?? '') } as JsonObject);
	const detail = failed.platformMessage || `HTTP ${failed.status}`;
	return new NodeApiError(node, body, {
		message: `${failed.platform} refused "${failed.call}" (${failed.status}): ${detail}`,
		description: `${failed.method} ${failed.path} answered ${failed.status}. ${failed.platform} said: ${detail}`,
		httpCode: String(failed.status),
		itemIndex: failed.itemIndex,
	});
}

/** Flattens the common error body shapes (`{detail}`, `{message}`, `{errors: {field: [msg]}}`) to one line. */
export function describeErrorBody(body: unknown): string {
	if (body === null || body === undefined) return '';
	if (typeof body === 'string') return body.slice(0, 500);
	if (typeof body !== 'object') return String(body);
	const data = body as Record<string, unknown>;
	for (const key of ['detail', 'message', 'msg', 'error_description']) {
		if (typeof data[key] === 'string' && data[key]) return data[key] as string;
	}
	if (typeof data.error === 'string') return data.error;
	if (data.error && typeof data.error === 'object') return describeErrorBody(data.error);
	if (data.errors && typeof data.errors === 'object') {
		const errors = data.errors as Record<string, unknown>;
		if (Array.isArray(errors)) return errors.map((e) => describeErrorBody(e)).join('; ');
		return Object.entries(errors)
			.map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(', ') : describeErrorBody(value)}`)
			.join('; ');
	}
	return JSON.stringify(body).slice(0, 500);
}
