import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { isObject } from '../shared';

export const HANDOFF_REQUEST_CREDENTIAL = 'handoffRequestApi';
export const DEFAULT_SECRET_HEADER = 'X-Handoff-Secret';

/** Shorter than this is no secret worth the name; the credential test says so. */
export const MIN_SECRET_LENGTH = 16;

/** RFC 9110 field-name: a token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The credential's header name (lower case, as Node.js hands headers over), or why it cannot be one. */
export function secretHeaderOf(credentials: ICredentialDataDecryptedObject): { header: string } | { error: string } {
	const name = String(credentials.headerName ?? '').trim() || DEFAULT_SECRET_HEADER;
	if (!HEADER_NAME.test(name)) return { error: `"${name}" is not a valid HTTP header name` };
	return { header: name.toLowerCase() };
}

/** What is wrong with the credential for checking calls, or undefined when nothing is. */
export function credentialProblem(credentials: ICredentialDataDecryptedObject): string | undefined {
	const header = secretHeaderOf(credentials);
	if ('error' in header) return header.error;
	if (typeof credentials.secret !== 'string' || credentials.secret === '') return 'The secret is empty';
	return undefined;
}

/**
 * The request body as a JSON object, or why it is not one. n8n has parsed JSON, form and XML bodies
 * already (malformed JSON sent as application/json gets n8n's own 422 before any node runs); a body
 * without a content type, or sent as text, is parsed here. An empty body is `{}`.
 */
export function bodyObject(body: unknown, rawBody: Buffer | undefined): { body: IDataObject } | { error: string } {
	let value = body;
	if (typeof value === 'string' || value === undefined) {
		const text = typeof value === 'string' ? value : (rawBody?.toString('utf8') ?? '');
		if (text.trim() === '') return { body: {} };
		try {
			value = JSON.parse(text);
		} catch {
			return { error: 'body is not JSON' };
		}
	}
	if (!isObject(value)) return { error: 'body must be a JSON object' };
	// A plain copy: form bodies come as objects without a prototype.
	return { body: { ...value } };
}
