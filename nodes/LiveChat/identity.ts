import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * A customer's identity at LiveChat's accounts server: the `__lc_cid` / `__lc_cst` cookies its
 * cookie grant sets. Sent back, they get a token for the same customer (docs/platforms/livechat.md,
 * "Customer tokens").
 */
export interface CustomerCookies {
	cid: string;
	cst: string;
}

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = 'n8n-nodes-handoff/livechat-customer-identity';

/** "account ID:token" of a personal access token, however the credential holds it. */
export function personalTokenSecret(credentials: ICredentialDataDecryptedObject): string {
	if (credentials.authType === 'base64') {
		const encoded = String(credentials.base64Token ?? '')
			.trim()
			.replace(/^Basic\s+/i, '')
			.trim();
		return Buffer.from(encoded, 'base64').toString('utf8');
	}
	return `${String(credentials.accountId ?? '').trim()}:${String(credentials.personalAccessToken ?? '').trim()}`;
}

/**
 * The key that seals customer identities in chat properties. Derived from the credential's secret,
 * so every n8n process holding the credential derives the same key and nothing else has to be stored.
 */
export function identityKey(secret: string, organizationId: string, clientId: string): Buffer {
	return Buffer.from(hkdfSync('sha256', secret, SALT, `${organizationId}/${clientId}`, 32));
}

/** AES-256-GCM; bound to the customer, so a sealed identity copied to another customer's chat does not open. */
export function sealIdentity(key: Buffer, entityId: string, cookies: CustomerCookies): string {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(Buffer.from(entityId, 'utf8'));
	const sealed = Buffer.concat([cipher.update(JSON.stringify(cookies), 'utf8'), cipher.final()]);
	return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/** The cookies, or undefined when the value is not ours, was sealed with another key, or was altered. */
export function openIdentity(key: Buffer, entityId: string, sealed: unknown): CustomerCookies | undefined {
	if (typeof sealed !== 'string' || !sealed.startsWith(`${FORMAT}.`)) return undefined;
	const raw = Buffer.from(sealed.slice(FORMAT.length + 1), 'base64url');
	if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
	try {
		const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
		decipher.setAAD(Buffer.from(entityId, 'utf8'));
		decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
		const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
		const parsed = JSON.parse(text) as Partial<CustomerCookies>;
		return typeof parsed.cid === 'string' && typeof parsed.cst === 'string' ? { cid: parsed.cid, cst: parsed.cst } : undefined;
	} catch {
		// A wrong key or altered value fails authentication: the identity is unreadable, which callers report.
		return undefined;
	}
}

function cookieValue(headers: string[], name: string): string | undefined {
	for (const header of headers) {
		const match = new RegExp(`(?:^|[\\s,;])${name}=([^;,\\s]+)`).exec(header);
		if (match) return match[1];
	}
	return undefined;
}

/** `__lc_cid` and `__lc_cst` from a response's Set-Cookie header(s). */
export function cookiesFromSetCookie(header: unknown): CustomerCookies | undefined {
	const headers = (Array.isArray(header) ? header : [header]).filter((value): value is string => typeof value === 'string');
	const cid = cookieValue(headers, '__lc_cid');
	const cst = cookieValue(headers, '__lc_cst');
	return cid && cst ? { cid, cst } : undefined;
}

export function cookieHeader(cookies: CustomerCookies): string {
	return `__lc_cid=${cookies.cid}; __lc_cst=${cookies.cst}`;
}
