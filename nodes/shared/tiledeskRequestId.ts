/** Shared: Tiledesk's deterministic request ids, which the Tiledesk node and the Botpress trigger (for relays into Tiledesk) both build. */
import { createHash } from 'crypto';

/**
 * Deterministic Tiledesk request ids built from another system's conversation id, so a relay finds
 * "the Tiledesk conversation of Landbot customer 473548616" without a mapping table:
 *
 *   support-group-{projectId}-{token}
 *
 * `token` is the external id itself when it only holds A-Z, a-z, 0-9, "_" and "-" (and is at most
 * 96 characters). Otherwise every other character becomes "_", the result is cut to 96 characters
 * and "-h" plus the first 12 hex digits of the SHA-256 of the original id is appended, so two ids
 * that sanitise alike still get different conversations. An id that is already clean but happens
 * to end like such a suffix ("-h" + 12 hex digits) is suffixed too, which keeps the mapping
 * one-to-one. Tiledesk's chat engine wants ids that start with "support-group".
 */
export const REQUEST_ID_PREFIX = 'support-group';

export const MAX_TOKEN_LENGTH = 96;

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;
const UNSAFE_CHARACTER = /[^A-Za-z0-9_-]/gu;
const HASH_SUFFIX = /-h[0-9a-f]{12}$/;

/** The part of the request id that stands for the external id. Throws on an empty id. */
export function externalIdToken(externalId: string): string {
	if (typeof externalId !== 'string' || externalId === '') {
		throw new Error('The external ID is empty');
	}
	const clean =
		SAFE_TOKEN.test(externalId) && externalId.length <= MAX_TOKEN_LENGTH && !HASH_SUFFIX.test(externalId);
	if (clean) return externalId;
	const sanitized = externalId.replace(UNSAFE_CHARACTER, '_').slice(0, MAX_TOKEN_LENGTH);
	const hash = createHash('sha256').update(externalId, 'utf8').digest('hex').slice(0, 12);
	return `${sanitized}-h${hash}`;
}

/** `support-group-{projectId}-{token}`, the same for the same project and external id, always. */
export function requestIdFromExternalId(projectId: string, externalId: string): string {
	const project = projectId.trim();
	if (!/^[A-Za-z0-9]+$/.test(project)) {
		throw new Error(`The Tiledesk project ID "${projectId}" is not valid`);
	}
	return `${REQUEST_ID_PREFIX}-${project}-${externalIdToken(externalId)}`;
}

export interface ParsedRequestId {
	projectId: string;
	token: string;
	/**
	 * The external id when the token is one unchanged (no hash suffix); null when characters were
	 * replaced, as the original cannot be recovered from the id alone.
	 */
	externalId: string | null;
}

/**
 * Reads a request id of the deterministic shape; null when it has another shape or belongs to
 * another project. Tiledesk's own ids (widget conversations) share the shape, with a random token.
 */
export function parseRequestId(requestId: unknown, projectId?: string): ParsedRequestId | null {
	if (typeof requestId !== 'string') return null;
	const match = /^support-group-([A-Za-z0-9]+)-(.+)$/.exec(requestId);
	if (!match) return null;
	const [, project, token] = match;
	if (projectId && project !== projectId) return null;
	const externalId = SAFE_TOKEN.test(token) && !HASH_SUFFIX.test(token) ? token : null;
	return { projectId: project, token, externalId };
}
