import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Registration, RegistrationStore } from '../../shared';
import { generateSecret, locatorValue, registrationLifecycle, requireEvents } from '../../shared';
import { LANDBOT_CREDENTIAL, landbotApi, landbotRequest } from '../transport';

/** Landbot fires MessageHooks only for web and WhatsApp channels (docs/platforms/landbot.md). */
const CHANNEL_TYPES_WITH_HOOKS = ['landbot', 'whatsapp'];

/** One MessageHook per channel delivers every event. */
const MESSAGE_HOOK = 'messageHook';

/** The MessageHook, kept as `hookId`, `hookToken` and `channelId` in static data. */
interface StoredHook extends Registration {
	channelId?: unknown;
}

const store: RegistrationStore<StoredHook> = {
	held: (staticData) =>
		staticData.hookId === undefined
			? []
			: [
					{
						id: String(staticData.hookId),
						secret: typeof staticData.hookToken === 'string' ? staticData.hookToken : '',
						channelId: staticData.channelId,
					},
				],
	kindOf: () => MESSAGE_HOOK,
	save: (staticData, [hook]) => {
		staticData.hookId = hook.id;
		staticData.hookToken = hook.secret;
		staticData.channelId = hook.channelId as string;
	},
	forget: (staticData) => {
		delete staticData.hookId;
		delete staticData.hookToken;
		delete staticData.channelId;
	},
};

function channelOf(context: IHookFunctions): string {
	return locatorValue(context.getNodeParameter('channelId', '', { extractValue: true }));
}

/** A MessageHook on the chosen channel, with a token of its own. */
export const landbotHooks = registrationLifecycle<StoredHook>({
	store,
	kinds: () => [MESSAGE_HOOK],
	// The stored hook is kept on a miss: if create() then fails, delete() still removes it.
	keepHeldWhenIncomplete: true,

	async listOurs(context, url) {
		const response = await landbotApi.call(context, {
			call: 'list message hooks',
			method: 'GET',
			path: `channels/${channelOf(context)}/message_hooks/`,
		});
		const hooks = (response.hooks as IDataObject[] | undefined) ?? [];
		const ours = hooks.find((hook) => hook.url === url);
		return ours ? [{ id: String(ours.id), kind: MESSAGE_HOOK }] : [];
	},

	async validate(context) {
		const channelId = channelOf(context);
		const events = context.getNodeParameter('events', []) as string[];
		requireEvents(context, events);
		if (events.includes('message') && context.getNodeParameter('conversations', 'any') === 'assignedToMe') {
			const credentials = await context.getCredentials(LANDBOT_CREDENTIAL);
			if (!String(credentials.agentId ?? '').trim()) {
				throw new NodeOperationError(
					context.getNode(),
					'"Conversations: Assigned to the Credential\'s Agent" needs the Agent ID set in the Landbot credential',
				);
			}
		}
		const response = await landbotApi.call(context, { call: 'get channel', method: 'GET', path: `channels/${channelId}/` });
		const channel = (response.channel as IDataObject | undefined) ?? response;
		if (typeof channel.type === 'string' && !CHANNEL_TYPES_WITH_HOOKS.includes(channel.type)) {
			throw new NodeOperationError(
				context.getNode(),
				`Landbot sends MessageHooks only for web (landbot) and WhatsApp channels; channel "${String(channel.name ?? channelId)}" is of type "${channel.type}"`,
			);
		}
	},

	async register(context, _kind, url) {
		const channelId = channelOf(context);
		const token = generateSecret(32);
		const created = await landbotApi.call(context, {
			call: 'create message hook',
			method: 'POST',
			path: `channels/${channelId}/message_hooks/`,
			body: { url, token, name: `n8n: ${context.getWorkflow().name ?? 'workflow'}`.slice(0, 100) },
		});
		const hook = (created.hook as IDataObject | undefined) ?? created;
		if (hook.id === undefined || hook.id === null) {
			throw new NodeOperationError(context.getNode(), 'Landbot did not return the new message hook\'s ID');
		}
		return { id: String(hook.id), secret: token, channelId };
	},

	async unregister(context, id, held) {
		// A stale hook is on the chosen channel; ours on the one it was created on.
		const channelId = String(held?.channelId ?? channelOf(context));
		// 404: already removed in Landbot's UI, which is what we wanted.
		await landbotRequest.call(context, {
			call: held ? 'delete message hook' : 'delete stale message hook',
			method: 'DELETE',
			path: `channels/${channelId}/message_hooks/${id}/`,
			acceptStatuses: [404],
		});
	},
});
