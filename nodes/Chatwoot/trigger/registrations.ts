import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { generateSecret, isObject, locatorValue, registrationLifecycle, registrationList, textOf } from '../../shared';
import { chatwootApi, chatwootRequest, listOf, payloadOf, segment } from '../transport';
import { subscriptionsFor } from './delivery';

/**
 * What the Chatwoot Trigger registered at publish: an account webhook (`POST /webhooks`) or an agent
 * bot's outgoing URL (`PATCH /agent_bots/{id}`), kept in static data with what authenticates its
 * deliveries.
 */
export interface ChatwootRegistration {
	id: string;
	/**
	 * What deliveries are checked with: Chatwoot's signing secret ('signed'), or, for servers that do
	 * not sign, the random secret in the registered URL's query ('url').
	 */
	secret: string;
	mode: 'signed' | 'url';
	kind: string;
	/** Url mode: Chatwoot's signing secret, when it gave one all the same (checked when a delivery is signed). */
	signingSecret?: string;
	/** Agent bot: the outgoing URL it had before, put back at unpublish. */
	previousUrl?: string;
}

/** The query parameter of the registered URL that carries the secret for unsigned deliveries. */
export const URL_SECRET_PARAMETER = 'secret';

export const store = registrationList<ChatwootRegistration>('chatwootRegistrations', (registration) => registration.kind);

export type Source = 'accountWebhook' | 'agentBot';

function sourceOf(context: IHookFunctions): Source {
	return context.getNodeParameter('source', 'accountWebhook') === 'agentBot' ? 'agentBot' : 'accountWebhook';
}

function unsignedChosen(context: IHookFunctions): boolean {
	return (context.getNodeParameter('options', {}) as IDataObject).unsigned === true;
}

function agentBotIdOf(context: IHookFunctions): string {
	const id = locatorValue(context.getNodeParameter('agentBotId', '', { extractValue: true }));
	if (!/^\d+$/.test(id)) throw new NodeOperationError(context.getNode(), `"Agent Bot" must be a Chatwoot agent bot ID (a whole number), got "${id}"`);
	return id;
}

/** The URL without its query: what tells our registrations from others. */
function withoutQuery(url: unknown): string {
	return textOf(url).split('?')[0];
}

function modeOfUrl(url: unknown): 'signed' | 'url' {
	return new URLSearchParams(textOf(url).split('?')[1] ?? '').has(URL_SECRET_PARAMETER) ? 'url' : 'signed';
}

/** One registration: its kind names what it delivers and how it is checked, so a change of either registers afresh. */
function kindOf(source: Source, mode: 'signed' | 'url', detail: string): string {
	return `${source}:${mode}:${detail}`;
}

function wantedKind(context: IHookFunctions): string {
	const mode = unsignedChosen(context) ? 'url' : 'signed';
	if (sourceOf(context) === 'agentBot') return kindOf('agentBot', mode, agentBotIdOf(context));
	const subscriptions = subscriptionsFor(context.getNodeParameter('events', []) as string[]);
	return subscriptions.length ? kindOf('accountWebhook', mode, subscriptions.join(',')) : '';
}

/** UNCONFIRMED: the field an agent bot's signing secret comes in (PR #13892, v4.13.0); kept here alone. */
export function agentBotSecretOf(bot: IDataObject): string {
	return typeof bot.secret === 'string' ? bot.secret : '';
}

/** Account webhooks answer `{payload: {webhook: {…, secret}}}` (secret from v4.11.2). */
function webhookOf(body: IDataObject): IDataObject {
	const payload = payloadOf(body);
	return isObject(payload.webhook) ? payload.webhook : payload;
}

function registeredUrl(url: string, mode: 'signed' | 'url', urlSecret: string): string {
	return mode === 'url' ? `${url}${url.includes('?') ? '&' : '?'}${URL_SECRET_PARAMETER}=${urlSecret}` : url;
}

function requireSigningSecret(context: IHookFunctions, secret: string, what: string): void {
	if (secret === '') {
		throw new NodeOperationError(context.getNode(), `Chatwoot gave no signing secret for the ${what}: update Chatwoot, or turn on the option "Older Chatwoot (No Signatures)"`, {
			description: 'Chatwoot signs account webhooks from v4.11.2, agent bots from v4.13.0. With the option on, deliveries are checked by a secret in the webhook URL instead.',
		});
	}
}

export const chatwootRegistrations = registrationLifecycle<ChatwootRegistration>({
	store,
	kinds: (context) => [wantedKind(context)].filter(Boolean),

	async listOurs(context, url) {
		if (sourceOf(context) === 'agentBot') {
			const id = agentBotIdOf(context);
			const bot = payloadOf(await chatwootApi.call(context, { call: 'get agent bot', method: 'GET', path: `agent_bots/${segment(id)}` }));
			return withoutQuery(bot.outgoing_url) === url ? [{ id, kind: kindOf('agentBot', modeOfUrl(bot.outgoing_url), id) }] : [];
		}
		// `{payload: {webhooks: [...]}}` (swagger); a bare list or `{payload: [...]}` is read too.
		const listed = await chatwootApi.call(context, { call: 'list webhooks', method: 'GET', path: 'webhooks' });
		const payload = payloadOf(listed);
		const webhooks = Array.isArray(payload.webhooks) ? listOf(payload.webhooks) : listOf(listed);
		return webhooks
			.filter((webhook) => withoutQuery(webhook.url) === url)
			.map((webhook) => {
				const subscriptions = Array.isArray(webhook.subscriptions) ? [...(webhook.subscriptions as unknown[]).map(textOf)].sort() : [];
				return { id: textOf(webhook.id), kind: kindOf('accountWebhook', modeOfUrl(webhook.url), subscriptions.join(',')) };
			});
	},

	async register(context, kind, url, save) {
		const mode = unsignedChosen(context) ? 'url' : 'signed';
		const urlSecret = generateSecret();
		const target = registeredUrl(url, mode, urlSecret);
		if (sourceOf(context) === 'agentBot') {
			const id = agentBotIdOf(context);
			const before = payloadOf(await chatwootApi.call(context, { call: 'get agent bot', method: 'GET', path: `agent_bots/${segment(id)}` }));
			const previousUrl = withoutQuery(before.outgoing_url) === url ? '' : textOf(before.outgoing_url);
			// Kept before the change: a failure half-way still lets delete() put the old URL back.
			save({ id, secret: urlSecret, mode, kind, previousUrl });
			const bot = payloadOf(await chatwootApi.call(context, { call: 'set the agent bot\'s webhook URL', method: 'PATCH', path: `agent_bots/${segment(id)}`, body: { outgoing_url: target } }));
			const signingSecret = agentBotSecretOf(bot) || agentBotSecretOf(before);
			if (mode === 'signed') {
				requireSigningSecret(context, signingSecret, `agent bot ${id}`);
				return { id, secret: signingSecret, mode, kind, previousUrl };
			}
			return { id, secret: urlSecret, mode, kind, previousUrl, ...(signingSecret ? { signingSecret } : {}) };
		}
		const subscriptions = kind.split(':').slice(2).join(':').split(',');
		const webhook = webhookOf(
			await chatwootApi.call(context, {
				call: 'create webhook',
				method: 'POST',
				path: 'webhooks',
				body: { url: target, name: `n8n-nodes-handoff: ${context.getWorkflow().name ?? context.getWorkflow().id ?? ''}`.trim(), subscriptions },
			}),
		);
		const id = textOf(webhook.id);
		if (id === '') throw new NodeOperationError(context.getNode(), 'Chatwoot did not return the webhook\'s ID');
		const signingSecret = typeof webhook.secret === 'string' ? webhook.secret : '';
		if (mode === 'signed') {
			// Saved first: delete() can remove a webhook whose deliveries this trigger cannot check.
			save({ id, secret: generateSecret(), mode, kind });
			requireSigningSecret(context, signingSecret, 'account webhook');
			return { id, secret: signingSecret, mode, kind };
		}
		return { id, secret: urlSecret, mode, kind, ...(signingSecret ? { signingSecret } : {}) };
	},

	async unregister(context, id, held) {
		if (held ? held.kind.startsWith('agentBot:') : sourceOf(context) === 'agentBot') {
			// The bot stays; only its outgoing URL goes back to what it was ('' for a stale one).
			await chatwootRequest.call(context, {
				call: 'restore the agent bot\'s webhook URL',
				method: 'PATCH',
				path: `agent_bots/${segment(id)}`,
				body: { outgoing_url: held?.previousUrl ?? '' },
				acceptStatuses: [404],
			});
			return;
		}
		await chatwootRequest.call(context, {
			call: held ? 'delete webhook' : 'delete stale webhook',
			method: 'DELETE',
			path: `webhooks/${segment(id)}`,
			acceptStatuses: [404],
		});
	},
});
