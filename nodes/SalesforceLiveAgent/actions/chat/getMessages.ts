import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { RetryPolicy } from '../../../shared';
import type { LiveAgentSession } from '../../session';
import { decodeMessages, readSession } from '../../session';
import { liveAgentRequest } from '../../transport';
import { sessionField } from '../common';

const properties: INodeProperties[] = [
	sessionField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Return Ended Instead of Failing',
				name: 'returnEnded',
				type: 'boolean',
				default: false,
				description:
					'Whether a session Salesforce no longer knows (403: the chat ended, the session expired) gives an item with chatEnded and ended set to true instead of an error, so a polling loop simply stops',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['getMessages'] } }, properties);

/** Grace on top of clientPollTimeout: the server answers (204 at worst) before it, the network may lag. */
const POLL_GRACE_MS = 5_000;

function pollRetry(timeoutMs: number): RetryPolicy {
	// A poll that got no answer is made again (the guide: retry before the session times out): room
	// for three timed-out tries; 5xx answers are retried with callApi's backoff as usual.
	return { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 5_000, maxTotalMs: 3 * timeoutMs };
}

function summary(session: LiveAgentSession): IDataObject {
	return { established: session.established, chatEnded: session.chatEnded, agent: session.agent };
}

/**
 * One long poll of GET System/Messages?ack=<session.ack>. The server answers as soon as there is
 * news (200) or after its own timeout (204, nothing new: the ack stays). 409 is polled again once;
 * 403 means the session is gone. The output carries the decoded messages and the session with its
 * new ack, so the next Get Messages in a loop continues where this one stopped.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const session = readSession(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const returnEnded = options.returnEnded === true;
	const timeoutMs = session.clientPollTimeout * 1000 + POLL_GRACE_MS;

	let response;
	for (let attempt = 1; ; attempt++) {
		response = await liveAgentRequest.call(this, {
			call: 'get messages',
			method: 'GET',
			path: 'System/Messages',
			qs: { ack: session.ack },
			headers: { kind: 'session', session },
			// The sheet: 409 → poll again. Once; a second 409 is an error.
			acceptStatuses: attempt === 1 ? [204, 409] : [204],
			accept403: returnEnded,
			timeoutMs,
			retry: pollRetry(timeoutMs),
			itemIndex,
		});
		if (response.statusCode !== 409) break;
	}

	if (response.statusCode === 403) {
		const ended: LiveAgentSession = { ...session, chatEnded: true };
		return {
			session: ended,
			ack: ended.ack,
			messages: [],
			agentMessages: [],
			...summary(ended),
			ended: true,
			endReason: 'session ended (403)',
		};
	}
	if (response.statusCode === 204) {
		return { session, ack: session.ack, messages: [], agentMessages: [], ...summary(session) };
	}

	const body = (response.body && typeof response.body === 'object' ? response.body : {}) as IDataObject;
	const entries = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
	const decoded = decodeMessages(entries, session, this.getNode().typeVersion);
	const sequence = Number(body.sequence);
	const ack = Number.isInteger(sequence) ? sequence : session.ack;
	const next: LiveAgentSession = { ...decoded.session, ack };
	const output: IDataObject = {
		session: next,
		ack,
		messages: decoded.events,
		agentMessages: decoded.agentMessages,
		...summary(next),
	};
	if (decoded.queuePosition !== undefined) output.queuePosition = decoded.queuePosition;
	if (decoded.estimatedWaitTime !== undefined) output.estimatedWaitTime = decoded.estimatedWaitTime;
	if (decoded.requestFailed !== undefined) output.requestFailed = decoded.requestFailed;
	if (decoded.endReason !== undefined) output.endReason = decoded.endReason;
	return output;
}
