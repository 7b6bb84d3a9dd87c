import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { RelayGuard } from '../../../nodes/RelayGuard/RelayGuard.node';
import { orderOf, sentAtOf } from '../../../nodes/RelayGuard/order';
import { createHarness } from '../../helpers/harness';

/**
 * The Relay Guard as a relay built on n8n's Slack Trigger uses it: every Slack event runs in its own
 * execution, at once, copies included; each calls Wait for Turn first and End Turn once its message
 * went out. What the tests check is what the customer would see: the order messages go out in, and
 * that none goes out twice or is held for ever.
 */
const harness = createHarness({ credentialTypes: [] });
const node = new RelayGuard();
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

let executions = 0;

/** One workflow: the guard's memory is per workflow and node, as in n8n. */
function workflow(options: IDataObject = {}) {
	const staticData: IDataObject = {};
	const sent: string[] = [];
	const params = { conversation: '={{ $json.thread_ts }}', order: '={{ $json.ts }}', messageId: '={{ $json.ts }}', options: { holdBackMs: 150, turnTimeoutSeconds: 5, ...options } };

	async function waitForTurn(events: IDataObject[], executionId: string) {
		const [through, copies] = await harness.execute(node, {
			parameters: { operation: 'waitForTurn', ...params },
			items: events.map((json) => ({ json })),
			staticData,
			executionId,
		});
		return { through, copies };
	}

	async function endTurn(executionId: string, outcome: 'relayed' | 'failed' = 'relayed') {
		return await harness.execute(node, { parameters: { operation: 'endTurn', outcome }, staticData, executionId });
	}

	/** A whole execution: wait, "send" what got through (after `workMs`), end the turn. */
	async function relay(event: IDataObject, opts: { workMs?: number; outcome?: 'relayed' | 'failed'; skipEnd?: boolean } = {}) {
		const executionId = `execution-${++executions}`;
		const { through, copies } = await waitForTurn([event], executionId);
		await sleep(opts.workMs ?? 0);
		for (const item of through) sent.push(String(item.json.text));
		if (!opts.skipEnd) await endTurn(executionId, opts.outcome);
		return { through, copies, executionId };
	}
	return { sent, relay, waitForTurn, endTurn };
}

const reply = (n: number, thread = '1700000000.000100') => ({
	thread_ts: thread,
	ts: `${1700000000 + n}.000${100 + n}`,
	text: `reply ${n}`,
});

const texts = (items: INodeExecutionData[]) => items.map((item) => item.json.text);

describe('Relay Guard: Wait for Turn and End Turn', () => {
	it('lets the messages of a conversation out in their Slack order, one at a time, though their executions start the other way round', async () => {
		const w = workflow();
		// Execution of reply 3 starts first, reply 1 last, each a few ms apart; every send takes 50 ms.
		const runs = [3, 2, 1].map(async (n, i) => {
			await sleep(i * 20);
			return await w.relay(reply(n), { workMs: 50 });
		});
		await Promise.all(runs);
		expect(w.sent).toEqual(['reply 1', 'reply 2', 'reply 3']);
	});

	it('holds the next message until the previous one ended its turn, however long its send takes', async () => {
		const w = workflow({ holdBackMs: 0 });
		const slow = w.relay(reply(1), { workMs: 400 });
		await sleep(50);
		const fast = w.relay(reply(2));
		await Promise.all([slow, fast]);
		expect(w.sent).toEqual(['reply 1', 'reply 2']);
	});

	it('sends copies (Slack\'s retries) to the Duplicate output, also one arriving while the first is still going out', async () => {
		const w = workflow();
		const first = w.relay(reply(1), { workMs: 200 });
		await sleep(30);
		const copyDuring = w.relay(reply(1));
		const [a, b] = await Promise.all([first, copyDuring]);
		const copyAfter = await w.relay(reply(1));
		expect(w.sent).toEqual(['reply 1']);
		expect(texts(a.through)).toEqual(['reply 1']);
		expect(texts(b.copies)).toEqual(['reply 1']);
		expect(b.copies[0].json.relayGuard).toMatchObject({ duplicate: true, messageId: reply(1).ts });
		expect(texts(copyAfter.copies)).toEqual(['reply 1']);
	});

	it('lets a copy through again when the first copy ended its turn as Failed', async () => {
		const w = workflow();
		const first = await w.relay(reply(1), { outcome: 'failed' });
		const retry = await w.relay(reply(1));
		expect(texts(first.through)).toEqual(['reply 1']);
		expect(texts(retry.through)).toEqual(['reply 1']);
		expect(w.sent).toEqual(['reply 1', 'reply 1']);
	});

	it('goes on after the turn timeout when an execution never reached End Turn, and flags a later copy of that message as unconfirmed', async () => {
		const w = workflow({ holdBackMs: 0, turnTimeoutSeconds: 1 });
		await w.relay(reply(1), { skipEnd: true });
		const next = await w.relay(reply(2));
		const copy = await w.relay(reply(1));
		expect(texts(next.through)).toEqual(['reply 2']);
		expect(copy.copies[0].json.relayGuard).toMatchObject({ duplicate: true, unconfirmed: true });
	}, 10_000);

	it('does not make one conversation wait for another', async () => {
		const w = workflow({ holdBackMs: 0 });
		const stuck = await w.waitForTurn([reply(1, 'thread-A')], 'holds-A');
		const other = await w.relay(reply(2, 'thread-B'));
		expect(texts(stuck.through)).toEqual(['reply 1']);
		expect(texts(other.through)).toEqual(['reply 2']);
		await w.endTurn('holds-A');
	});

	it('lets the items of one execution in one conversation through together, in order, their copies apart', async () => {
		const w = workflow({ holdBackMs: 0 });
		const { through, copies } = await w.waitForTurn([reply(3), reply(1), reply(2), reply(1)], 'batch');
		await w.endTurn('batch');
		expect(texts(through)).toEqual(['reply 1', 'reply 2', 'reply 3']);
		expect(texts(copies)).toEqual(['reply 1']);
		expect(through.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }, { item: 0 }]);
		const later = await w.relay(reply(2));
		expect(texts(later.copies)).toEqual(['reply 2']);
	});

	it('keeps what the trigger gave (json and binary) and says how long the message waited', async () => {
		const w = workflow({ holdBackMs: 0 });
		const [through] = await harness.execute(node, {
			parameters: { operation: 'waitForTurn', conversation: 'c', order: '1', messageId: 'm1', options: { holdBackMs: 0 } },
			items: [{ json: { text: 'hi', files: [1] }, binary: { file_0: { data: 'aGk=', mimeType: 'text/plain' } } }],
			executionId: 'keeps',
		});
		await w.endTurn('keeps');
		expect(through[0].json).toMatchObject({ text: 'hi', files: [1], relayGuard: { conversation: 'c', messageId: 'm1' } });
		expect(typeof (through[0].json.relayGuard as IDataObject).waitedMs).toBe('number');
		expect(through[0].binary?.file_0.data).toBe('aGk=');
	});

	it('names the parameter when a key is missing or the order is not a number or a date', async () => {
		const run = async (parameters: IDataObject) =>
			await harness.execute(node, { parameters: { operation: 'waitForTurn', conversation: 'c', order: '1', messageId: 'm', ...parameters }, executionId: 'bad' });
		await expect(run({ conversation: '' })).rejects.toThrow('Conversation is empty');
		await expect(run({ messageId: '  ' })).rejects.toThrow('Message ID is empty');
		await expect(run({ order: 'soon' })).rejects.toThrow('Order "soon" is not a number or a date');
	});

	it('End Turn passes its items on and ends nothing when the execution holds no turn', async () => {
		const [out] = await harness.execute(node, { parameters: { operation: 'endTurn' }, items: [{ json: { a: 1 } }], executionId: 'none' });
		expect(out.map((item) => item.json)).toEqual([{ a: 1 }]);
	});
});

describe('Relay Guard: order values', () => {
	it('reads Slack ts, ISO times and counters, and only times give a send time', () => {
		const now = Date.parse('2026-12-06T12:00:00Z');
		expect(orderOf('1765022400.000200')).toBe(1765022400.0002);
		expect(orderOf('2026-12-06T11:59:59.500Z')).toBe(now - 500);
		expect(orderOf(7)).toBe(7);
		expect(orderOf('')).toBeUndefined();
		expect(orderOf('later')).toBeUndefined();
		expect(sentAtOf(now / 1000 - 2, now)).toBe(now - 2000);
		expect(sentAtOf(now - 2000, now)).toBe(now - 2000);
		expect(sentAtOf(7, now)).toBeUndefined();
	});
});

/**
 * Earlier Messages, as template 26 gives them: the Teams thread's replies (read in the execution)
 * with their times. A reply whose execution reaches the guard seconds after the next one's (a busy
 * n8n) still goes first: the next one knows it exists.
 */
describe('Relay Guard: Wait for Turn with the Earlier Messages the source lists', () => {
	const T0 = Date.now() - 60_000;
	const teamsReply = (n: number, listed: number[] = []) => ({
		replyToId: 'root-1',
		id: String(T0 + n * 200),
		createdDateTime: new Date(T0 + n * 200).toISOString(),
		text: `reply ${n}`,
		thread: listed.map((m) => ({ id: String(T0 + m * 200), createdDateTime: new Date(T0 + m * 200).toISOString() })),
	});

	function teamsWorkflow(options: IDataObject = {}) {
		const staticData: IDataObject = {};
		const sent: string[] = [];
		const parameters = {
			operation: 'waitForTurn',
			conversation: '={{ $json.replyToId }}',
			order: '={{ $json.createdDateTime }}',
			messageId: '={{ $json.id }}',
			options: { holdBackMs: 100, earlierMessages: '={{ $json.thread.map(r => ({ id: r.id, order: r.createdDateTime })) }}', ...options },
		};
		async function relay(event: IDataObject) {
			const executionId = `teams-${++executions}`;
			const [through, copies] = await harness.execute(node, { parameters, items: [{ json: event }], staticData, executionId });
			for (const item of through) sent.push(String(item.json.text));
			await harness.execute(node, { parameters: { operation: 'endTurn' }, staticData, executionId });
			return { through, copies };
		}
		return { sent, relay };
	}

	it('holds a reply for an earlier one listed in the thread that reaches the guard 1.5 s later, far beyond the hold-back', async () => {
		const w = teamsWorkflow();
		const second = w.relay(teamsReply(2, [1, 2, 3]));
		await sleep(1_500);
		const first = w.relay(teamsReply(1, [1, 2, 3]));
		const [a] = await Promise.all([second, first]);
		expect(w.sent).toEqual(['reply 1', 'reply 2']);
		expect((a.through[0].json.relayGuard as IDataObject).waitedForEarlier).toBe(1);
		// Reply 3 was listed too: it comes after reply 2, so reply 2 did not wait for it.
		expect((a.through[0].json.relayGuard as IDataObject).waitedMs).toBeLessThan(5_000);
	});

	it('without Earlier Messages the same late reply goes out after the next one (what the option is for)', async () => {
		const w = teamsWorkflow({ earlierMessages: '' });
		const second = w.relay(teamsReply(2));
		await sleep(1_500);
		await Promise.all([second, w.relay(teamsReply(1))]);
		expect(w.sent).toEqual(['reply 2', 'reply 1']);
	});

	it('waits for a listed reply that never comes only up to Wait for Earlier, and the next reply does not wait for it again', async () => {
		const w = teamsWorkflow({ waitForEarlierSeconds: 1 });
		const started = Date.now();
		const second = await w.relay(teamsReply(2, [1, 2]));
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
		const againAt = Date.now();
		const third = await w.relay(teamsReply(3, [1, 2, 3]));
		expect(Date.now() - againAt).toBeLessThan(900);
		expect(w.sent).toEqual(['reply 2', 'reply 3']);
		expect((second.through[0].json.relayGuard as IDataObject).waitedForEarlier).toBe(1);
		expect((third.through[0].json.relayGuard as IDataObject).waitedForEarlier).toBeUndefined();
	});

	it('does not wait for a listed reply sent longer than Wait for Earlier before this one (it would have come by now)', async () => {
		const w = teamsWorkflow({ waitForEarlierSeconds: 5 });
		const old = { id: String(T0 - 30_000), createdDateTime: new Date(T0 - 30_000).toISOString() };
		const event = { ...teamsReply(1), thread: [old] };
		const started = Date.now();
		await w.relay(event);
		expect(Date.now() - started).toBeLessThan(2_000);
		expect(w.sent).toEqual(['reply 1']);
	});

	it('takes a plain list of IDs (all earlier by the list\'s own word), its JSON, or comma-separated IDs', async () => {
		const lists: Array<(ids: string[]) => string | string[]> = [(ids) => ids, (ids) => JSON.stringify(ids), (ids) => ids.join(', ')];
		for (const [i, list] of lists.entries()) {
			const w = teamsWorkflow({ earlierMessages: '={{ $json.before }}' });
			const first = { ...teamsReply(1), before: list([]) };
			const second = { ...teamsReply(2), before: list([first.id]) };
			const later = w.relay(second);
			await sleep(600);
			await Promise.all([later, w.relay(first)]);
			expect([i, w.sent]).toEqual([i, ['reply 1', 'reply 2']]);
		}
	}, 20_000);

	it('names Earlier Messages when it is not a list of IDs', async () => {
		const w = teamsWorkflow({ earlierMessages: '={{ { id: 1 } }}' });
		await expect(w.relay(teamsReply(1))).rejects.toThrow('Earlier Messages is not a list of message IDs');
		const v = teamsWorkflow({ earlierMessages: '={{ [[1]] }}' });
		await expect(v.relay(teamsReply(1))).rejects.toThrow('Earlier Messages is not a list of message IDs');
	});
});
