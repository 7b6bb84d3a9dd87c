import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { LiveAgentSession } from '../../session';
import { afterPost, readSession } from '../../session';
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
				displayName: 'End Session Too',
				name: 'endSession',
				type: 'boolean',
				default: true,
				description:
					'Whether to also end the Live Agent session (DELETE System/SessionId), so its key can no longer be used',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['endChat'] } }, properties);

/**
 * POST Chasitor/ChatEnd {"reason": "client"} as the visitor, then (by default) DELETE the session.
 * A session that is already gone (403) is not an error: the chat is over either way.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const session = readSession(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const response = await liveAgentRequest.call(this, {
		call: 'end chat',
		method: 'POST',
		path: 'Chasitor/ChatEnd',
		headers: { kind: 'post', session },
		body: { reason: 'client' },
		accept403: true,
		itemIndex,
	});
	const alreadyEnded = response.statusCode === 403;
	const next: LiveAgentSession = { ...afterPost(session), chatEnded: true };

	let sessionEnded = alreadyEnded;
	if (!alreadyEnded && options.endSession !== false) {
		// Best effort: a session left behind expires on its own after clientPollTimeout. The key is
		// in this path, so failures are summarised here rather than surfaced with the URL.
		try {
			const deleted = await liveAgentRequest.call(this, {
				call: 'end session',
				method: 'DELETE',
				path: `System/SessionId/${encodeURIComponent(session.key)}`,
				headers: { kind: 'session', session },
				accept403: true,
				acceptStatuses: [400, 404, 405, 500, 502, 503, 504],
				retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxTotalMs: 0 },
				itemIndex,
			});
			sessionEnded = deleted.statusCode < 300 || deleted.statusCode === 403 || deleted.statusCode === 404;
		} catch {
			// Unreachable server: the chat end above went through; the session expires by itself.
			sessionEnded = false;
		}
	}
	return { session: next, chatEnded: true, alreadyEnded, sessionEnded, established: session.established };
}
