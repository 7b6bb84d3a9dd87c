import { expectHandoffEvent } from '../../helpers/contract';
import { idFromKey, isConversationId } from '../../../nodes/SalesforceEnhancedChat/conversation';
import { byTranscriptTime, clientMessageId, entryEvent, entryOf, isOwnEcho } from '../../../nodes/SalesforceEnhancedChat/entries';
import { EventStreamParser } from '../../../nodes/SalesforceEnhancedChat/trigger/stream';
import { jwtExpiry } from '../../../nodes/SalesforceEnhancedChat/transport';

const CONVERSATION = '0d4c2f8e-3b6a-4c1d-9e2f-5a6b7c8d9e0f';

function entry(overrides: Record<string, unknown>) {
	return {
		identifier: 'e1',
		entryType: 'Message',
		sender: { role: 'Agent', subject: 'agent-1', appType: 'agent' },
		senderDisplayName: 'Alice Agent',
		transcriptedTimestamp: 1_764_000_000_000,
		clientTimestamp: 1_764_000_000_000,
		entryPayload: {
			entryType: 'Message',
			id: 'e1',
			abstractMessage: { messageType: 'StaticContentMessage', id: 'client-1', staticContent: { formatType: 'Text', text: 'Hello' } },
		},
		...overrides,
	};
}

describe('Enhanced Chat entries → the package event', () => {
	it('an agent message, from the list (payload object) or the stream (payload JSON text), reads the same', () => {
		const fromList = entryOf(entry({}), CONVERSATION)!;
		const fromStream = entryOf(entry({ entryPayload: JSON.stringify(entry({}).entryPayload) }), CONVERSATION)!;
		for (const parsed of [fromList, fromStream]) {
			const event = entryEvent(parsed, 'v2/iamessage/UNAUTH/NA/uid:1')!;
			expectHandoffEvent(event);
			expect(event).toMatchObject({
				event: 'message',
				platform: 'salesforceEnhancedChat',
				conversationId: CONVERSATION,
				customerId: 'v2/iamessage/UNAUTH/NA/uid:1',
				author: { role: 'agent', id: 'agent-1', name: 'Alice Agent' },
				message: { type: 'text', text: 'Hello', sourceKey: 'e1' },
				timestamp: new Date(1_764_000_000_000).toISOString(),
				entryId: 'e1',
			});
			expect(clientMessageId(parsed)).toBe('client-1');
		}
	});

	it('an attachment becomes an image or file with its URL and name', () => {
		const parsed = entryOf(
			entry({
				entryPayload: {
					abstractMessage: {
						staticContent: { formatType: 'Attachments', attachments: [{ id: 'a', name: 'label.png', mimeType: 'image/png', url: 'https://x/label.png' }] },
					},
				},
			}),
			CONVERSATION,
		)!;
		expect(entryEvent(parsed)!.message).toMatchObject({ type: 'image', text: 'label.png', url: 'https://x/label.png', fileName: 'label.png' });
	});

	it('our own messages come back as the end user: they are echoes', () => {
		expect(isOwnEcho(entryOf(entry({ sender: { role: 'EndUser' } }), CONVERSATION)!)).toBe(true);
		expect(isOwnEcho(entryOf(entry({}), CONVERSATION)!)).toBe(false);
	});

	it.each([
		['ParticipantChanged', { entries: [{ operation: 'add', participant: { role: 'Agent', subject: 'a1' }, displayName: 'Alice' }] }, 'agentAssigned', { role: 'agent', name: 'Alice' }],
		['ParticipantChanged', { entries: [{ operation: 'remove', participant: { role: 'Agent' }, displayName: 'Alice' }] }, 'conversationUpdated', undefined],
		['RoutingResult', { routingType: 'Initial', failureType: 'None', estimatedWaitTime: { estimatedWaitTimeInSeconds: 30 } }, 'conversationUpdated', undefined],
		['RoutingResult', { routingType: 'Transfer', failureType: 'None' }, 'conversationTransferred', undefined],
		['RoutingResult', { routingType: 'Initial', failureType: 'RoutingError' }, 'handoffInterrupted', undefined],
		['SessionStatusChanged', { sessionStatus: 'Ended', sessionEndedByRole: 'Agent' }, 'conversationClosed', undefined],
		['CloseConversation', {}, 'conversationClosed', undefined],
	])('%s %j → %s', (entryType, payload, name, author) => {
		const event = entryEvent(entryOf(entry({ entryType, entryPayload: payload, sender: { role: 'System' } }), CONVERSATION)!)!;
		expectHandoffEvent(event);
		expect(event.event).toBe(name);
		expect(event.message).toBeNull();
		if (author) expect(event.author).toMatchObject(author);
	});

	it('keeps the wait estimate and who ended the session', () => {
		const routed = entryEvent(entryOf(entry({ entryType: 'RoutingResult', entryPayload: { routingType: 'Initial', failureType: 'None', estimatedWaitTime: { estimatedWaitTimeInSeconds: 30 } } }), CONVERSATION)!);
		expect(routed!.routing).toEqual({ type: 'Initial', failure: 'None', estimatedWaitSeconds: 30 });
		const ended = entryEvent(entryOf(entry({ entryType: 'SessionStatusChanged', entryPayload: { sessionStatus: 'Ended', sessionEndedByRole: 'Agent' } }), CONVERSATION)!);
		expect(ended!.session).toEqual({ status: 'Ended', endedBy: 'agent' });
	});

	it('typing, receipts and unknown entries are no event; an entry without identifier is none', () => {
		for (const entryType of ['TypingStartedIndicator', 'ReadAcknowledgement', 'SomethingNew']) {
			expect(entryEvent(entryOf(entry({ entryType }), CONVERSATION)!)).toBeNull();
		}
		expect(entryOf({ entryType: 'Message' }, CONVERSATION)).toBeNull();
		expect(entryOf('junk', CONVERSATION)).toBeNull();
	});

	it('sorts by server time, then identifier', () => {
		const a = entryOf(entry({ identifier: 'b', transcriptedTimestamp: 2 }), CONVERSATION)!;
		const b = entryOf(entry({ identifier: 'a', transcriptedTimestamp: 2 }), CONVERSATION)!;
		const c = entryOf(entry({ identifier: 'z', transcriptedTimestamp: 1 }), CONVERSATION)!;
		expect([a, b, c].sort(byTranscriptTime).map((e) => e.identifier)).toEqual(['z', 'a', 'b']);
	});
});

describe('ids and tokens', () => {
	it('derives the same lowercase UUID v4 from the same key, different ones from different keys', () => {
		expect(isConversationId(idFromKey('landbot:1'))).toBe(true);
		expect(idFromKey('landbot:1')).toBe(idFromKey('landbot:1'));
		expect(idFromKey('landbot:1')).not.toBe(idFromKey('landbot:2'));
	});

	it("reads a JWT's exp, and null for what is no JWT", () => {
		const payload = Buffer.from(JSON.stringify({ exp: 1_800_000_000 })).toString('base64url');
		expect(jwtExpiry(`h.${payload}.s`)).toBe(new Date(1_800_000_000_000).toISOString());
		expect(jwtExpiry('not-a-jwt')).toBeNull();
		expect(jwtExpiry('a.%%%.c')).toBeNull();
	});
});

describe('EventStreamParser', () => {
	it('reads events split anywhere across chunks, with CRLF, comments and multi-line data', () => {
		const text = ': hello\r\nid: 7\r\nevent: CONVERSATION_MESSAGE\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: ping\ndata: 0\n\nid: 9\ndata: x\n\n';
		for (let cut = 1; cut < text.length; cut++) {
			const parser = new EventStreamParser();
			const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
			expect(events).toEqual([
				{ id: '7', event: 'CONVERSATION_MESSAGE', data: '{"a":\n1}' },
				{ id: '', event: 'ping', data: '0' },
				{ id: '9', event: 'message', data: 'x' },
			]);
		}
	});
});
