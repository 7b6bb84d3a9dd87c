import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { generateSecret, registrationLifecycle, registrationList } from '../../shared';
import { ensureChatProperties, liveChatApi, liveChatConfig, liveChatRequest } from '../transport';
import type { StoredWebhook } from './delivery';
import { actionOf, isTriggerEvent } from './delivery';

const store = registrationList<StoredWebhook>('webhooks', (webhook) => webhook.action);

export function storedWebhooks(staticData: IDataObject): StoredWebhook[] {
	return store.held(staticData);
}

function chosenActions(context: IHookFunctions): string[] {
	const events = (context.getNodeParameter('events', []) as string[]).filter(isTriggerEvent);
	return [...new Set(events.map(actionOf))];
}

async function unregister(context: IHookFunctions, id: string, held?: StoredWebhook): Promise<void> {
	const { clientId } = await liveChatConfig(context);
	// 404: already gone in LiveChat, which is what we wanted.
	await liveChatRequest.call(context, {
		api: 'configuration',
		action: 'unregister_webhook',
		call: held ? 'unregister webhook' : 'unregister stale webhook',
		body: { id, owner_client_id: clientId },
		acceptStatuses: [404],
	});
}

/** One license webhook per action for the credential's Client ID, each with its own secret. */
export const liveChatWebhooks = registrationLifecycle<StoredWebhook>({
	store,
	kinds: chosenActions,

	async listOurs(context, url) {
		const { clientId } = await liveChatConfig(context);
		const listed = (await liveChatApi.call(context, {
			api: 'configuration',
			action: 'list_webhooks',
			call: 'list webhooks',
			body: { owner_client_id: clientId },
		})) as unknown;
		const remote = (Array.isArray(listed) ? listed : []) as IDataObject[];
		return remote
			.filter((webhook) => webhook.url === url)
			.map((webhook) => ({ id: String(webhook.id), kind: String(webhook.action) }));
	},

	async validate(context) {
		const { clientId } = await liveChatConfig(context);
		if (!clientId) {
			throw new NodeOperationError(context.getNode(), 'The LiveChat credential has no Client ID: webhooks are registered for an app');
		}
	},

	async prepare(context) {
		try {
			await ensureChatProperties.call(context);
		} catch (error) {
			// Only the LiveChat node's "Start" writes these properties, and it registers them itself
			// (and reports a missing scope there): a token without properties.configuration:rw must
			// not keep this trigger from publishing. The message names the call, never a secret.
			context.logger.warn(`LiveChat Trigger: chat properties not registered: ${(error as Error).message}`);
		}
	},

	async register(context, action, url) {
		const { clientId } = await liveChatConfig(context);
		const secret = generateSecret(32);
		const body: IDataObject = {
			action,
			secret_key: secret,
			url,
			type: 'license',
			owner_client_id: clientId,
			description: `n8n: ${context.getWorkflow().name ?? 'workflow'}`.slice(0, 100),
			additional_data: ['chat_properties'],
		};
		if (action === 'incoming_event') body.filters = { author_type: 'agent' };
		const answer = await liveChatApi.call(context, {
			api: 'configuration',
			action: 'register_webhook',
			call: `register ${action} webhook`,
			body,
		});
		if (typeof answer.id !== 'string' || answer.id === '') {
			throw new NodeOperationError(context.getNode(), `LiveChat did not return the ID of the ${action} webhook`);
		}
		return { id: answer.id, action, secret };
	},

	async finish(context) {
		const { clientId } = await liveChatConfig(context);
		// License webhooks fire only once enabled for the license.
		await liveChatApi.call(context, {
			api: 'configuration',
			action: 'enable_license_webhooks',
			call: 'enable license webhooks',
			body: { owner_client_id: clientId },
		});
	},

	unregister,
});
