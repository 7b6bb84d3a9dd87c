import { createHmac } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

// Deliveries in the shapes Chatwoot sends (Message#webhook_data, Conversation#webhook_data;
// docs/platforms/chatwoot.md): message_type a string here, an integer in the API's lists.

export const BASE = 'https://chat.example.com';
export const ACCOUNT = '3';
export const TOKEN = 'admin-token-1a2b3c';
export const API = `/api/v1/accounts/${ACCOUNT}`;
export const HOOK_URL = 'https://n8n.example.com/webhook/5c0e1d2a/webhook';
export const SECRET = 'whsec-chatwoot-' + 'ab'.repeat(16);
export const credentials = { chatwootApi: { baseUrl: BASE, accountId: ACCOUNT, apiAccessToken: TOKEN } };

export const CONTACT = { id: 128, name: 'Ada Lovelace', email: 'ada@example.com', identifier: 'landbot-473548616', type: 'contact' };
export const AGENT = { id: 7, name: 'Maria Rossi', email: 'maria@example.com', type: 'user' };
export const BOT = { id: 4, name: 'Handoff bot', type: 'agent_bot' };

export function conversation(id = 42, extra: IDataObject = {}): IDataObject {
	return {
		id,
		inbox_id: 5,
		status: 'open',
		channel: 'Channel::Api',
		contact_inbox: { source_id: 'api-128', contact_id: 128, inbox_id: 5 },
		meta: { sender: CONTACT, assignee: { id: 7, name: 'Maria Rossi' }, team: null },
		labels: [],
		custom_attributes: {},
		additional_attributes: {},
		created_at: 1796205000,
		timestamp: 1796205605,
		updated_at: 1796205605.25,
		...extra,
	};
}

export function messageCreated(id: number, extra: IDataObject = {}, conversationId = 42): IDataObject {
	return {
		event: 'message_created',
		id,
		content: `message ${id}`,
		content_type: 'text',
		content_attributes: {},
		message_type: 'outgoing',
		private: false,
		source_id: null,
		created_at: new Date(Date.parse('2026-12-02T10:00:00.000Z') + id * 1000).toISOString(),
		sender: AGENT,
		attachments: [],
		inbox: { id: 5, name: 'Bot handoff' },
		account: { id: 3, name: 'Acme' },
		conversation: conversation(conversationId),
		...extra,
	};
}

export function statusChanged(status: string, previous: string, extra: IDataObject = {}): IDataObject {
	return {
		event: 'conversation_status_changed',
		...conversation(42, { status }),
		changed_attributes: [{ status: { previous_value: previous, current_value: status } }],
		...extra,
	};
}

/** The headers Chatwoot signs a delivery with (computed here independently of the trigger's code). */
export function signed(body: unknown, secret = SECRET, at = Math.floor(Date.now() / 1000)): Record<string, string> {
	const raw = JSON.stringify(body);
	const signature = createHmac('sha256', secret).update(`${at}.${raw}`).digest('hex');
	return {
		'content-type': 'application/json',
		'x-chatwoot-signature': `sha256=${signature}`,
		'x-chatwoot-timestamp': String(at),
		'x-chatwoot-delivery': '3f1c2a4e-7d55-4f5b-9d0c-1c2b3a4d5e6f',
	};
}

/** Static data after publishing an account webhook for these subscriptions. */
export function published(subscriptions = 'conversation_created,conversation_status_changed,conversation_updated,message_created'): IDataObject {
	return { chatwootRegistrations: [{ id: '9', secret: SECRET, mode: 'signed', kind: `accountWebhook:signed:${subscriptions}` }] };
}
