import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ChatwootApi } from '../../../credentials/ChatwootApi.credentials';
import { Chatwoot } from '../../../nodes/Chatwoot/Chatwoot.node';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';

// Conversation → Get Owner: who handles the customer, from Chatwoot's conversation status
// (docs/platforms/chatwoot.md: pending = the bot's, open = the humans', resolved = over).
const BASE = 'https://chat.example.com';
const ACCOUNT = '3';
const TOKEN = 'user-token-9f8e7d';
const API = `/api/v1/accounts/${ACCOUNT}`;
const credentials = { chatwootApi: { baseUrl: BASE, accountId: ACCOUNT, apiAccessToken: TOKEN } };
const harness = createHarness({ credentialTypes: [new ChatwootApi()] });
const node = new Chatwoot();
const chatwoot = () => nock(BASE, { reqheaders: { api_access_token: TOKEN } });
const rl = (value: string) => ({ __rl: true, mode: 'id', value });

async function run(parameters: IDataObject, extra: { continueOnFail?: boolean } = {}) {
	const [output] = await harness.execute(node, {
		parameters: { resource: 'conversation', operation: 'getOwner', ...parameters } as never,
		credentials,
		items: [{ json: {} }],
		continueOnFail: extra.continueOnFail,
	});
	return output.map((item) => item.json);
}

/** A conversation as GET /contacts/{id}/conversations lists it (api/v1/conversations/partials/_conversation). */
const conversation = (id: number, status: string, lastActivity: number, extra: IDataObject = {}) => ({
	id,
	inbox_id: 5,
	status,
	last_activity_at: lastActivity,
	timestamp: lastActivity,
	meta: { sender: { id: 128, identifier: 'app-u-1' }, assignee: null, team: null },
	...extra,
});

useNock();

describe('Chatwoot node: Conversation → Get Owner', () => {
	it('a human handles the customer while a conversation is open: its id, assignee and team, in one read', async () => {
		const scope = chatwoot()
			.get(`${API}/contacts/128/conversations`)
			.reply(200, {
				payload: [
					conversation(7, 'resolved', 1_800_000_100),
					conversation(9, 'open', 1_800_000_050, { meta: { assignee: { id: 12, name: 'Alice' }, team: { id: 2, name: 'Support' } } }),
				],
			});
		expect(await run({ contactId: '128', inboxId: rl('5') })).toEqual([
			{ handledBy: 'human', conversationId: '9', status: 'open', assigneeId: '12', teamId: '2', contactId: '128', inboxId: '5' },
		]);
		scope.done();
	});

	it('snoozed is still the humans\'; pending, resolved and no conversation at all are the bot\'s', async () => {
		chatwoot().get(`${API}/contacts/128/conversations`).reply(200, { payload: [conversation(4, 'snoozed', 10)] });
		expect((await run({ contactId: '128' }))[0]).toMatchObject({ handledBy: 'human', conversationId: '4', status: 'snoozed' });

		chatwoot().get(`${API}/contacts/128/conversations`).reply(200, { payload: [conversation(3, 'resolved', 30), conversation(5, 'pending', 20)] });
		expect((await run({ contactId: '128' }))[0]).toMatchObject({ handledBy: 'bot', conversationId: '5', status: 'pending' });

		chatwoot().get(`${API}/contacts/128/conversations`).reply(200, { payload: [conversation(3, 'resolved', 30)] });
		expect((await run({ contactId: '128' }))[0]).toEqual({
			handledBy: 'bot',
			conversationId: null,
			status: null,
			assigneeId: null,
			teamId: null,
			contactId: '128',
			inboxId: null,
		});

		chatwoot().get(`${API}/contacts/128/conversations`).reply(200, { payload: [] });
		expect((await run({ contactId: '128', inboxId: rl('5') }))[0]).toMatchObject({ handledBy: 'bot', conversationId: null, inboxId: '5' });
	});

	it('counts only the chosen inbox, and takes the latest activity whatever order Chatwoot lists them in', async () => {
		chatwoot()
			.get(`${API}/contacts/128/conversations`)
			.reply(200, {
				payload: [
					conversation(2, 'open', 50, { inbox_id: 6 }), // another inbox: an email thread, say
					conversation(8, 'pending', 40),
					conversation(11, 'pending', 45),
				],
			});
		expect((await run({ contactId: '128', inboxId: rl('5') }))[0]).toMatchObject({ handledBy: 'bot', conversationId: '11' });

		chatwoot()
			.get(`${API}/contacts/128/conversations`)
			.reply(200, { payload: [conversation(2, 'open', 50, { inbox_id: 6 })] });
		expect((await run({ contactId: '128' }))[0]).toMatchObject({ handledBy: 'human', conversationId: '2', inboxId: '6' });
	});

	it('refuses a contact ID that is no Chatwoot ID before calling, and names Chatwoot\'s refusal', async () => {
		await expect(run({ contactId: 'app-u-1' })).rejects.toThrow(NodeOperationError);
		await expect(run({ contactId: 'app-u-1' })).rejects.toThrow(/"Contact ID" must be a Chatwoot ID/);

		chatwoot().get(`${API}/contacts/404/conversations`).reply(404, { error: 'Resource could not be found' });
		const failure = run({ contactId: '404' });
		await expect(failure).rejects.toThrow(NodeApiError);
		await expect(failure).rejects.toThrow(/Resource could not be found|404/);
		expect((await run({ contactId: '' }, { continueOnFail: true }))[0]).toMatchObject({ error: expect.stringMatching(/Contact ID/) });
	});

	it('is offered with an action a model and a person can read', () => {
		const operation = node.description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes('conversation'));
		const option = (operation?.options as Array<{ value: string; action?: string; description?: string }>).find((o) => o.value === 'getOwner');
		expect(option).toMatchObject({ action: 'Get who handles a conversation' });
		expect(option?.description).toMatch(/bot or a human/);
	});
});
