/**
 * The generic-node equivalent of template 2 that a user builds by hand: n8n's Webhook node (answers
 * at once, checks the hook token with Header Auth) → Filter (customer messages of conversations in
 * a handoff) → HTTP Request to Tiledesk's send-message API with the body the Tiledesk node sends
 * (nodes/Tiledesk/actions/message/send.ts: type, text, marker attributes, sender, senderFullname).
 * It reads only the first message of a delivery, as such hand-built flows usually do (the
 * simulator sends one per delivery); it neither keeps order nor drops duplicates.
 */
import { TILEDESK_OWNER } from '../test/e2e/lib/relay';

export const GENERIC_PATH = 'bench-generic-relay';
const HOOK_SECRET = { id: 'bench-landbot-hook-token', name: 'Landbot hook token', type: 'httpHeaderAuth' };
const TILEDESK_LOGIN = { id: 'bench-tiledesk-basic', name: 'Tiledesk login', type: 'httpBasicAuth' };

/** The two credentials the workflow references: the hook's token header, and Tiledesk's Basic login. */
export function genericCredentials(hookToken: string): object[] {
	return [
		{ ...HOOK_SECRET, data: { name: 'Authorization', value: `Token ${hookToken}` } },
		{ ...TILEDESK_LOGIN, data: { user: TILEDESK_OWNER.email, password: TILEDESK_OWNER.password } },
	];
}

const message = '$json.body.messages[0]';

export function genericWorkflow(tiledesk: { baseUrl: string; projectId: string }): Record<string, unknown> {
	const body =
		`={{ JSON.stringify({ type: 'text', text: ${message}.data.body, ` +
		`attributes: { n8nHandoff: true, n8nHandoffOrigin: 'n8n-nodes-handoff' }, ` +
		`sender: 'landbot-' + ${message}.customer.id, senderFullname: ${message}.customer.name }) }}`;
	return {
		name: 'Bench · generic nodes · Landbot → Tiledesk',
		nodes: [
			{
				id: 'b7e0c5a2-5d1e-4f57-9a61-0c2b6a1f0001',
				name: 'Landbot message',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				webhookId: 'b7e0c5a2-5d1e-4f57-9a61-0c2b6a1f00aa',
				parameters: { httpMethod: 'POST', path: GENERIC_PATH, authentication: 'headerAuth', responseMode: 'onReceived', options: {} },
				credentials: { httpHeaderAuth: { id: HOOK_SECRET.id, name: HOOK_SECRET.name } },
				position: [0, 0],
			},
			{
				id: 'b7e0c5a2-5d1e-4f57-9a61-0c2b6a1f0002',
				name: 'Customer message in a handoff?',
				type: 'n8n-nodes-base.filter',
				typeVersion: 2.2,
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [
							condition('c1', `={{ ${message}.sender.type }}`, 'customer', { type: 'string', operation: 'equals' }),
							condition('c2', `={{ String(${message}.customer.handoff_conversation ?? '') }}`, '', {
								type: 'string',
								operation: 'notEmpty',
								singleValue: true,
							}),
						],
						combinator: 'and',
					},
					options: {},
				},
				position: [240, 0],
			},
			{
				id: 'b7e0c5a2-5d1e-4f57-9a61-0c2b6a1f0003',
				name: 'Send to Tiledesk',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					method: 'POST',
					url: `=${tiledesk.baseUrl}/${tiledesk.projectId}/requests/{{ encodeURIComponent(${message}.customer.handoff_conversation) }}/messages`,
					authentication: 'genericCredentialType',
					genericAuthType: 'httpBasicAuth',
					sendBody: true,
					specifyBody: 'json',
					jsonBody: body,
					options: {},
				},
				credentials: { httpBasicAuth: { id: TILEDESK_LOGIN.id, name: TILEDESK_LOGIN.name } },
				position: [480, 0],
			},
		],
		connections: {
			'Landbot message': { main: [[{ node: 'Customer message in a handoff?', type: 'main', index: 0 }]] },
			'Customer message in a handoff?': { main: [[{ node: 'Send to Tiledesk', type: 'main', index: 0 }]] },
		},
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

function condition(id: string, leftValue: string, rightValue: string, operator: Record<string, unknown>) {
	return { id: `b7e0c5a2-5d1e-4f57-9a61-0c2b6a1f00${id}`, leftValue, rightValue, operator };
}
