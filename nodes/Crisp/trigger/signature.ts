import { createHmac } from 'crypto';

import { numberOf, secretsMatch } from '../../shared';

/**
 * Crisp signs Plugin Hooks (not Website Hooks): `X-Crisp-Signature` = hex HMAC-SHA256(secret,
 * `"[" + X-Crisp-Request-Timestamp + ";" + body + "]"`) (docs; node-crisp-api `__verifySignature`,
 * docs/platforms/crisp.md). The library signs its re-serialised body; UNCONFIRMED whether the raw
 * bytes match too, so the raw body is tried first, then the parsed body serialised again.
 */
/** Website Hooks are unsigned: the URL's query carries this parameter with the credential's secret. */
export const URL_SECRET_PARAMETER = 'secret';

export const SIGNATURE_HEADER = 'x-crisp-signature';
export const TIMESTAMP_HEADER = 'x-crisp-request-timestamp';

/**
 * UNCONFIRMED: the timestamp's unit and a replay window are undocumented. Below 10^11 it is read as
 * seconds, else milliseconds; a delivery signed more than 5 minutes from n8n's clock is refused.
 */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

export function signatureOf(secret: string, timestamp: string, body: Buffer | string): string {
	return createHmac('sha256', secret).update(`[${timestamp};`).update(body).update(']').digest('hex');
}

export type SignatureCheck = 'ok' | 'missing' | 'bad' | 'stale';

function timestampMs(timestamp: string): number {
	const value = numberOf(timestamp);
	return value < 1e11 ? value * 1000 : value;
}

/**
 * Checks a delivery's signature in constant time, the timestamp first. `parsed` is serialised only
 * for the comparison: nothing of it is used before the check passes.
 */
export function checkSignature(secret: string, headers: Record<string, unknown>, rawBody: Buffer | undefined, parsed: unknown, nowMs = Date.now()): SignatureCheck {
	const signature = headers[SIGNATURE_HEADER];
	const timestamp = headers[TIMESTAMP_HEADER];
	if (typeof signature !== 'string' || signature === '') return 'missing';
	if (typeof timestamp !== 'string' || !/^\d{1,15}$/.test(timestamp)) return 'bad';
	if (Math.abs(nowMs - timestampMs(timestamp)) > REPLAY_WINDOW_MS) return 'stale';
	const received = signature.trim().toLowerCase();
	if (rawBody !== undefined && secretsMatch(signatureOf(secret, timestamp, rawBody), received)) return 'ok';
	let serialised: string | undefined;
	try {
		serialised = JSON.stringify(parsed);
	} catch {
		serialised = undefined;
	}
	return serialised !== undefined && secretsMatch(signatureOf(secret, timestamp, serialised), received) ? 'ok' : 'bad';
}
