import { createHmac } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

// Requests and deliveries in Crisp's shapes (node-crisp-api lib/resources, Events.ts,
// examples/events_webhooks.js; docs/platforms/crisp.md): the `{error, reason, data}` envelope,
// hooks as `{website_id, event, data, timestamp}` with timestamps in ms.

export const API = 'https://api.crisp.chat';
export const WEBSITE = '8c842203-7ed8-4e29-a608-7cf78a7d2fcc';
export const OTHER_WEBSITE = '1d2c3b4a-5e6f-4a0b-9c8d-7e6f5a4b3c2d';
export const IDENTIFIER = '2f8d4b6c-1a3e-4c5d-9e7f-0a1b2c3d4e5f';
export const KEY = 'plugin-key-' + 'ef'.repeat(16);
export const SECRET = 'crisp-hook-secret-' + 'ab'.repeat(16);
export const SESSION = 'session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881';
export const OPERATOR = 'aa0b6a3c-8d6a-4b9c-9a5e-2c5e5b2b7f11';
export const HOOK_URL = 'https://n8n.example.com/webhook/7a1e2d3c/webhook';

export const BASIC = `Basic ${Buffer.from(`${IDENTIFIER}:${KEY}`).toString('base64')}`;

export const credentials = { crispApi: { tier: 'plugin', identifier: IDENTIFIER, tokenKey: KEY, websiteId: WEBSITE, hookSecret: SECRET } };

export const ok = (data: unknown) => ({ error: false, reason: 'resolved', data });

/** A message hook: message:send (the visitor) or message:received (an operator). */
export function messageHook(event: 'message:send' | 'message:received', fingerprint: number, data: IDataObject = {}): IDataObject {
	const fromUser = event === 'message:send';
	const timestamp = Date.parse('2026-12-06T10:00:00.000Z') + fingerprint;
	return {
		website_id: WEBSITE,
		event,
		data: {
			website_id: WEBSITE,
			session_id: SESSION,
			inbox_id: null,
			type: 'text',
			from: fromUser ? 'user' : 'operator',
			origin: 'chat',
			content: `message ${fingerprint}`,
			fingerprint,
			timestamp,
			user: fromUser ? { user_id: SESSION, nickname: 'Ada Lovelace' } : { user_id: OPERATOR, nickname: 'Maria Rossi' },
			mentions: [],
			stamped: true,
			automated: false,
			...data,
		},
		timestamp,
	};
}

export function sessionHook(event: 'session:set_state' | 'session:set_routing', data: IDataObject, timestamp = Date.parse('2026-12-06T10:05:00.000Z')): IDataObject {
	return { website_id: WEBSITE, event, data: { website_id: WEBSITE, session_id: SESSION, ...data }, timestamp };
}

/** The headers of a Plugin Hook, signed as Crisp documents it (computed here independently of the trigger's code). */
export function signed(body: unknown, secret = SECRET, at = Date.now(), raw = JSON.stringify(body)): Record<string, string> {
	const signature = createHmac('sha256', secret).update(`[${at};${raw}]`).digest('hex');
	return {
		'content-type': 'application/json',
		'x-crisp-hook-origin': 'plugin',
		'x-crisp-request-timestamp': String(at),
		'x-crisp-signature': signature,
		'x-delivery-attempt-limit': '5',
		'x-delivery-attempt-count': '1',
	};
}
