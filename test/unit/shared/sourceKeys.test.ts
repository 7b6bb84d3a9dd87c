import { deliveryOf } from '../../../nodes/shared/webhook';

const item = (text: string | null) => ({ json: { event: 'message', conversationId: 'c1', timestamp: '2026-12-04T10:00:00.000Z', message: text === null ? null : { type: 'text', text } } });

describe('source keys: what lets a send operation find a repeat at the destination', () => {
	it('a delivery of one message gives it the delivery key; several messages, the key and their place', () => {
		const one = deliveryOf('sentry-trace:abc', [item('hello')]);
		expect(one.items.map((i) => (i.json.message as { sourceKey?: string }).sourceKey)).toEqual(['sentry-trace:abc']);
		const two = deliveryOf('k', [item('a'), item(null), item('b')]);
		expect(two.items.map((i) => (i.json.message as { sourceKey?: string } | null)?.sourceKey)).toEqual(['k#0', undefined, 'k#1']);
	});

	it('a key the platform does not keep across retries is not given (Botpress), nor a send time', () => {
		const delivery = deliveryOf('random-uuid', [item('hi')], false);
		expect((delivery.items[0].json.message as { sourceKey?: string }).sourceKey).toBeUndefined();
		expect(delivery.sentAt).toBeUndefined();
	});
});
