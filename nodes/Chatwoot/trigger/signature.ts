import { createHmac } from 'crypto';

import { numberOf, secretsMatch } from '../../shared';

/**
 * Chatwoot signs webhooks (account webhooks from v4.11.2, agent bots and API inboxes from v4.13.0):
 * `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "{X-Chatwoot-Timestamp}.{raw body}")>`, the
 * timestamp in unix seconds (docs/platforms/chatwoot.md).
 */
export const SIGNATURE_HEADER = 'x-chatwoot-signature';
export const TIMESTAMP_HEADER = 'x-chatwoot-timestamp';

/** A delivery signed longer ago (or ahead) than this is a replay: Chatwoot's own guidance, ~5 min. */
export const REPLAY_WINDOW_SECONDS = 5 * 60;

export function signatureOf(secret: string, timestamp: string, rawBody: Buffer): string {
	return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export type SignatureCheck = 'ok' | 'missing' | 'bad' | 'stale';

/** Checks a delivery's signature in constant time; the timestamp first, so an old capture is refused. */
export function checkSignature(secret: string, headers: Record<string, unknown>, rawBody: Buffer | undefined, nowMs = Date.now()): SignatureCheck {
	const signature = headers[SIGNATURE_HEADER];
	const timestamp = headers[TIMESTAMP_HEADER];
	if (typeof signature !== 'string' || signature === '') return 'missing';
	if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp) || rawBody === undefined) return 'bad';
	if (Math.abs(nowMs / 1000 - numberOf(timestamp)) > REPLAY_WINDOW_SECONDS) return 'stale';
	return secretsMatch(signatureOf(secret, timestamp, rawBody), signature.trim()) ? 'ok' : 'bad';
}
