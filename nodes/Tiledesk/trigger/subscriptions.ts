import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { generateSecret, registrationLifecycle, registrationList, secretsMatch } from '../../shared';
import { segment, signJwt, tiledeskProject, tiledeskRequest } from '../transport';
import type { Envelope } from './delivery';

/**
 * Whose secret a subscription's deliveries carry: ours, set right after creating it, or the
 * server's default, which tiledesk-server shares between every subscription one server process
 * creates, in every project (docs/platforms/tiledesk.md).
 */
export type SecretSource = 'own' | 'server';

/** One REST-hook subscription this node created, as kept in the workflow's static data. */
export interface StoredSubscription {
	id: string;
	event: string;
	target: string;
	secret: string;
	/** Absent in subscriptions stored before own secrets: those hold the server's. */
	secretSource?: SecretSource;
}

/** How long the login that tells whether Tiledesk holds our secret may be used. */
const PROBE_TOKEN_SECONDS = 60;

const store = registrationList<StoredSubscription>('subscriptions', (subscription) => subscription.event);

export function storedSubscriptions(staticData: IDataObject): StoredSubscription[] {
	return store.held(staticData);
}

/** Our subscriptions whose secret was presented; every one is compared, in constant time each. */
export function subscriptionsHolding(subscriptions: StoredSubscription[], received: unknown): StoredSubscription[] {
	return subscriptions.filter((subscription) => secretsMatch(subscription.secret, received));
}

/**
 * The subscription a delivery comes from: the one it names (`hook._id`) among those whose secret
 * it presented, for the event that subscription was made for, naming no project but ours.
 * Another project's subscription to our URL presents the same secret when both hold the server's.
 */
export function senderOf(
	envelope: Envelope,
	holding: StoredSubscription[],
	projectId: string,
): StoredSubscription | undefined {
	const subscription = holding.find((candidate) => candidate.id === envelope.subscriptionId);
	if (!subscription || subscription.event !== envelope.event) return undefined;
	const ours = envelope.projects.length > 0 && envelope.projects.every((project) => project === projectId);
	return ours ? subscription : undefined;
}

/** `POST /subscriptions`: the subscription, with the server's secret (body and `x-hook-secret`). */
export async function createSubscription(
	this: IHookFunctions,
	event: string,
	target: string,
): Promise<StoredSubscription> {
	const response = await tiledeskRequest.call(this, {
		call: `subscribe to ${event}`,
		method: 'POST',
		path: 'subscriptions',
		body: { event, target },
	});
	const subscription = (response.body ?? {}) as IDataObject;
	const header = response.headers?.['x-hook-secret'];
	const secret = typeof header === 'string' && header ? header : subscription.secret;
	if (typeof subscription._id !== 'string' || !subscription._id || typeof secret !== 'string' || !secret) {
		throw new NodeOperationError(this.getNode(), `Tiledesk did not return the ID and secret of the "${event}" subscription`);
	}
	if (subscription.target !== undefined && subscription.target !== target) {
		// Tiledesk answers a duplicate (event, target) with a subscription it finds by event alone.
		throw new NodeOperationError(
			this.getNode(),
			`Tiledesk returned a "${event}" subscription for another URL (${String(subscription.target)})`,
			{ description: 'Unpublish and publish the workflow again; if it persists, delete the project\'s duplicate subscriptions for this URL.' },
		);
	}
	return { id: subscription._id, event, target, secret, secretSource: 'server' };
}

async function putSecret(this: IHookFunctions, subscriptionId: string, secret: string): Promise<void> {
	// 404: a server without the route (express answers "Cannot PUT"); the login below then fails.
	await tiledeskRequest.call(this, {
		call: 'set the webhook subscription\'s secret',
		method: 'PUT',
		path: `subscriptions/${segment(subscriptionId)}`,
		body: { secret },
		acceptStatuses: [404],
	});
}

/**
 * Whether Tiledesk holds `secret` for the subscription. It never answers a secret after creating
 * it, but a JWT signed with it, `sub: subscription`, `aud: …/subscriptions/{id}`, is a login as
 * that subscription, which the project's detail route accepts.
 */
async function holdsSecret(this: IHookFunctions, subscriptionId: string, secret: string): Promise<boolean> {
	const { projectId } = await tiledeskProject(this);
	const now = Math.floor(Date.now() / 1000);
	const token = signJwt(
		{
			_id: subscriptionId,
			sub: 'subscription',
			aud: `https://tiledesk.com/subscriptions/${subscriptionId}`,
			iat: now,
			exp: now + PROBE_TOKEN_SECONDS,
		},
		secret,
	);
	const response = await tiledeskRequest.call(this, {
		call: 'check the webhook subscription\'s secret',
		method: 'GET',
		path: `/projects/${segment(projectId)}`,
		headers: { Authorization: `JWT ${token}` },
		acceptStatuses: [401, 403],
	});
	return response.statusCode >= 200 && response.statusCode < 300;
}

/**
 * Gives a subscription a random secret of our own, so that only its deliveries present it.
 * tiledesk-server stores any field of the PUT body but answers without the secret; if the
 * login with ours is refused, the server's is put back, so we know which one deliveries carry.
 */
export async function withOwnSecret(this: IHookFunctions, subscription: StoredSubscription): Promise<StoredSubscription> {
	const own = generateSecret();
	await putSecret.call(this, subscription.id, own);
	if (await holdsSecret.call(this, subscription.id, own)) return { ...subscription, secret: own, secretSource: 'own' };
	await putSecret.call(this, subscription.id, subscription.secret);
	return { ...subscription, secretSource: 'server' };
}

/** One REST-hook subscription per chosen event, each given a secret of its own where Tiledesk takes it. */
export const tiledeskSubscriptions = registrationLifecycle<StoredSubscription>({
	store,
	kinds: (context) => context.getNodeParameter('events', []) as string[],

	async listOurs(context, url) {
		const response = await tiledeskRequest.call(context, {
			call: 'list webhook subscriptions',
			method: 'GET',
			path: 'subscriptions',
		});
		const remote = (Array.isArray(response.body) ? response.body : []) as IDataObject[];
		return remote
			.filter((subscription) => subscription.target === url)
			.map((subscription) => ({ id: String(subscription._id), kind: String(subscription.event) }));
	},

	async register(context, event, url, save) {
		const subscription = await createSubscription.call(context, event, url);
		// Kept before the PUT of our secret: if that fails, delete() still removes the subscription.
		save(subscription);
		return await withOwnSecret.call(context, subscription);
	},

	async unregister(context, id, held) {
		// 404: already removed in Tiledesk, which is what we wanted.
		await tiledeskRequest.call(context, {
			call: held ? 'delete webhook subscription' : 'delete stale webhook subscription',
			method: 'DELETE',
			path: `subscriptions/${segment(id)}`,
			acceptStatuses: [404],
		});
	},
});
