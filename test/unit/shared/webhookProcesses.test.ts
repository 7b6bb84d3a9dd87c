import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { LandbotApi } from '../../../credentials/LandbotApi.credentials';
import { LandbotTrigger } from '../../../nodes/Landbot/LandbotTrigger.node';
import { HANDED_OVER_HEADER, ownerOf, webhookProcessList } from '../../../nodes/shared';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import customerText from '../../fixtures/landbot/customer-text.json';

const HOOK_TOKEN = 'b'.repeat(64);
const PATH = '/webhook/5f1c/webhook';
const credentials = { landbotApi: { apiToken: 'agent-token', baseUrl: 'https://api.landbot.io/v1', agentId: '794028' } };
const harness = createHarness({ credentialTypes: [new LandbotApi()] });
const node = new LandbotTrigger();

/** Two webhook processes; which one owns the fixture's conversation decides who relays it. */
const PROCESSES = ['http://n8n-webhook-1:5678', 'http://n8n-webhook-2:5678'];

/** The trigger's static data once published; one object = one workflow to the harness. */
const published = (): IDataObject => ({ hookId: '12', hookToken: HOOK_TOKEN, channelId: '2955840' });

let messageId = 1;
/** A new customer message (its own delivery key), in a conversation of its own unless told. */
function message(customerId = 473548616): IDataObject {
	const body = JSON.parse(JSON.stringify(customerText)) as { messages: IDataObject[] };
	const first = body.messages[0];
	first.timestamp = 1747943110.5 + messageId;
	first.data = { body: `message ${messageId++}` };
	(first.sender as IDataObject).id = customerId;
	(first.customer as IDataObject).id = customerId;
	return body as unknown as IDataObject;
}

async function deliver(
	body: IDataObject,
		{
		processes = PROCESSES.join(', '),
		headers = {} as Record<string, string>,
		authorization = `Token ${HOOK_TOKEN}`,
		maxWaiting = 100,
		staticData = published(),
	} = {},
) {
	return await harness.webhook(node, {
		parameters: { channelId: '2955840', options: { webhookProcesses: processes, maxWaiting } },
		credentials,
		staticData,
		request: { headers: { 'content-type': 'application/json', authorization, ...headers }, body, path: PATH },
	});
}

/** The conversation id the trigger relays a customer's messages under (as the emitted events carry it). */
async function conversationOf(customerId: number): Promise<string> {
	const { response } = await deliver(message(customerId), { processes: '' });
	return String(response.workflowData?.[0][0].json.conversationId);
}

/** A customer whose conversation the given process owns. */
async function customerOwnedBy(process: string): Promise<number> {
	for (let customerId = 1000; ; customerId++) {
		if (ownerOf(await conversationOf(customerId), PROCESSES) === process) return customerId;
	}
}

useNock();

describe('Webhook Processes (queue mode): each conversation is relayed by the one process that owns it', () => {
	it('reads the list however it is separated, and spreads conversations over it the same way on every process', () => {
		expect(webhookProcessList(' http://a:5678/, http://b:5678\nhttp://c:5678 ')).toEqual(['http://a:5678', 'http://b:5678', 'http://c:5678']);
		expect(webhookProcessList(undefined)).toEqual([]);
		const owners = Array.from({ length: 1000 }, (_, i) => ownerOf(`conversation-${i}`, PROCESSES));
		const first = owners.filter((owner) => owner === PROCESSES[0]).length;
		expect(first).toBeGreaterThan(400);
		expect(first).toBeLessThan(600);
		expect(owners.every((owner, i) => owner === ownerOf(`conversation-${i}`, [...PROCESSES]))).toBe(true);
	});

	it("hands another process's conversation over as it came, and answers the platform with the owner's answer", async () => {
		const customerId = await customerOwnedBy(PROCESSES[1]);
		const body = message(customerId);
		let forwarded: { headers: Record<string, string | string[]>; body: unknown } | undefined;
		nock(PROCESSES[1])
			.post(PATH)
			.reply(function (_uri, received) {
				forwarded = { headers: this.req.headers, body: received };
				return [200, { received: true }];
			});
		const { response, http } = await deliver(body);
		expect(response.workflowData).toBeUndefined(); // nothing runs here: the owner relays it
		expect([http.statusCode, http.body]).toEqual([200, JSON.stringify({ received: true })]);
		expect(forwarded?.body).toEqual(body);
		expect(forwarded?.headers.authorization).toBe(`Token ${HOOK_TOKEN}`); // the owner checks the secret too
		expect(forwarded?.headers[HANDED_OVER_HEADER]).toEqual(expect.any(String));
	});

	it("passes the owner's push-back on (503 with Retry-After), and answers 503 when the owner cannot be reached", async () => {
		const customerId = await customerOwnedBy(PROCESSES[1]);
		nock(PROCESSES[1]).post(PATH).reply(() => [503, { error: 'Still relaying; retry later' }, { 'Retry-After': '30' }]);
		const pushedBack = await deliver(message(customerId));
		expect([pushedBack.http.statusCode, pushedBack.http.headers['retry-after']]).toEqual([503, '30']);

		nock(PROCESSES[1]).post(PATH).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
		const down = await deliver(message(customerId));
		expect(down.response.workflowData).toBeUndefined();
		expect([down.http.statusCode, down.http.headers['retry-after']]).toEqual([503, '30']);
	});

	it('leaves pushing back to the owner: a second delivery while the first waits there is handed over too, whatever Max Deliveries Waiting', async () => {
		const customerId = await customerOwnedBy(PROCESSES[1]);
		let answer: () => void = () => undefined;
		const answered = new Promise<void>((resolve) => (answer = resolve));
		let reachedOwner: () => void = () => undefined;
		const atOwner = new Promise<void>((resolve) => (reachedOwner = resolve));
		nock(PROCESSES[1])
			.post(PATH)
			.reply(async () => {
				reachedOwner();
				await answered;
				return [200, { received: true }];
			})
			.post(PATH)
			.reply(() => [503, { error: 'Too many deliveries waiting; retry later' }, { 'Retry-After': '30' }]);
		const staticData = published(); // both deliveries reach the same trigger of the same workflow
		const first = deliver(message(customerId), { maxWaiting: 1, staticData });
		await atOwner;
		const second = await deliver(message(customerId), { maxWaiting: 1, staticData });
		// The owner's answer, not this process's: only the owner knows to read the conversation back.
		expect([second.http.statusCode, second.http.headers['retry-after']]).toEqual([503, '30']);
		answer();
		expect((await first).http.statusCode).toBe(200);
	});

	it("after a hand-over that got no answer, the conversation's next hand-over tells the owner which one it may have missed, until the owner answers", async () => {
		const customerId = await customerOwnedBy(PROCESSES[1]);
		const flags: unknown[] = [];
		const flag = function (this: { req: { headers: Record<string, unknown> } }) {
			flags.push(this.req.headers['x-handoff-may-have-missed']);
			return [200, { received: true }] as [number, object];
		};
		const staticData = published(); // one trigger of one workflow
		nock(PROCESSES[1]).post(PATH).reply(flag);
		await deliver(message(customerId), { staticData });
		nock(PROCESSES[1]).post(PATH).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
		expect((await deliver(message(customerId), { staticData })).http.statusCode).toBe(503);
		nock(PROCESSES[1]).post(PATH).reply(flag).post(PATH).reply(flag);
		await deliver(message(customerId), { staticData });
		await deliver(message(customerId), { staticData });
		// The flag names the delivery that got no answer, so the owner looks for it wherever it sits.
		const unansweredKey = ((customerText as unknown as { messages: Array<{ _raw: { uuid: string } }> }).messages[0])._raw.uuid;
		expect(flags).toEqual([undefined, encodeURIComponent(unansweredKey), undefined]);
	});

	it('relays its own conversations, and a delivery handed over to it, itself', async () => {
		const own = await customerOwnedBy(PROCESSES[0]);
		const other = await customerOwnedBy(PROCESSES[1]);
		// "Process 1" learns it is PROCESSES[0] from the first delivery it hands over to itself.
		let handedOverBy = '';
		nock(PROCESSES[0])
			.post(PATH)
			.reply(function () {
				handedOverBy = String(this.req.headers[HANDED_OVER_HEADER]);
				return [200, { received: true }];
			});
		await deliver(message(own));
		const toItself = await deliver(message(own), {
			headers: { [HANDED_OVER_HEADER]: handedOverBy, 'x-handoff-handed-over-to': PROCESSES[0] },
		});
		expect(toItself.response.workflowData?.[0]).toHaveLength(1);
		// From now on its own conversations are relayed without a hand-over (no interceptor is left).
		const direct = await deliver(message(own));
		expect(direct.response.workflowData?.[0]).toHaveLength(1);
		// A delivery another process handed over is relayed here, whoever owns it by this list.
		const handedOver = await deliver(message(other), { headers: { [HANDED_OVER_HEADER]: 'another-process' } });
		expect(handedOver.response.workflowData?.[0]).toHaveLength(1);
	});

	it('checks the secret before it hands anything over', async () => {
		const customerId = await customerOwnedBy(PROCESSES[1]);
		const { http, response } = await deliver(message(customerId), { authorization: 'Token wrong' });
		expect(http.statusCode).toBe(401);
		expect(response.workflowData).toBeUndefined();
	});
});
