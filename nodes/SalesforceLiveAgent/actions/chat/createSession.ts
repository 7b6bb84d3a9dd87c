import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, updateDisplayOptions } from 'n8n-workflow';

import type { LiveAgentSession } from '../../session';
import { DEFAULT_CLIENT_POLL_TIMEOUT } from '../../session';
import { liveAgentRequest } from '../../transport';

const properties: INodeProperties[] = [];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['createSession'] } },
	properties,
);

/** GET System/SessionId: a new visitor session; the first POST (Start Chat) will be sequence 1. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const response = await liveAgentRequest.call(this, {
		call: 'create session',
		method: 'GET',
		path: 'System/SessionId',
		headers: { kind: 'new' },
		itemIndex,
	});
	const body = (response.body && typeof response.body === 'object' ? response.body : {}) as IDataObject;
	for (const field of ['id', 'key', 'affinityToken']) {
		if (typeof body[field] !== 'string' || body[field] === '') {
			throw new NodeApiError(this.getNode(), { message: `no ${field}` }, {
				message: `Salesforce Live Agent answered "create session" without a session ${field}`,
				itemIndex,
			});
		}
	}
	const clientPollTimeout = Number(body.clientPollTimeout);
	const session: LiveAgentSession = {
		id: body.id as string,
		key: body.key as string,
		affinityToken: body.affinityToken as string,
		sequence: 1,
		ack: -1,
		clientPollTimeout:
			Number.isInteger(clientPollTimeout) && clientPollTimeout > 0 ? clientPollTimeout : DEFAULT_CLIENT_POLL_TIMEOUT,
		established: false,
		chatEnded: false,
		agent: null,
	};
	return { session, sessionId: session.id, clientPollTimeout: session.clientPollTimeout, established: false, chatEnded: false };
}
