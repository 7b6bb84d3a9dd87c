/**
 * Helpers for the Landbot ↔ Salesforce Live Agent end-to-end suite: the templates and the credential
 * they reference, the Live Agent simulator, and readers of what the agent sees (the simulator's chat
 * transcript) and of the long polls n8n made.
 */
import { SalesforceLiveAgentSimulator } from '../../fakes';
import type { LiveAgentApiCall, LiveAgentSessionInfo, SalesforceLiveAgentSimulatorOptions } from '../../fakes';

export const SALESFORCE_TEMPLATE_FILES = {
	/** Landbot's Webhook block → Live Agent chat, and the polling loop back to Landbot. */
	handoff: '14-landbot-salesforce-handoff.json',
	/** Landbot customer messages → Live Agent Send Message. */
	customerToAgent: '15-landbot-to-salesforce.json',
} as const;

/** The credential the templates reference (fixed ID and name, as in templates.ts). */
export const SALESFORCE_CREDENTIAL = {
	id: 'salesforce-live-agent-credential',
	name: 'Salesforce Live Agent account',
	type: 'salesforceLiveAgentApi',
} as const;

/** The customer field in which template 14 keeps the Live Agent session. */
export const SESSION_FIELD = 'liveagent_session';

export async function startSalesforce(opts: SalesforceLiveAgentSimulatorOptions = {}): Promise<SalesforceLiveAgentSimulator> {
	return await new SalesforceLiveAgentSimulator(opts).start();
}

export function salesforceCredential(sim: SalesforceLiveAgentSimulator) {
	const { id, name, type } = SALESFORCE_CREDENTIAL;
	return {
		id,
		name,
		type,
		data: {
			chatApiEndpoint: sim.endpoint,
			apiVersion: '56',
			organizationId: sim.organizationId,
			deploymentId: sim.deploymentId,
			buttonId: sim.buttonId,
		},
	};
}

/** A pre-chat detail as ChasitorInit carried it. */
export interface PrechatDetail {
	label: string;
	value: string;
	transcriptFields?: string[];
	displayToAgent?: boolean;
}

export function prechatDetails(session: LiveAgentSessionInfo): PrechatDetail[] {
	return ((session.chasitorInit?.prechatDetails as PrechatDetail[] | undefined) ?? []).map((d) => ({ ...d }));
}

/** The Live Agent session opened for a Landbot customer (template 14 sends the customer ID as a pre-chat detail). */
export function sessionForCustomer(sim: SalesforceLiveAgentSimulator, customerId: number): LiveAgentSessionInfo | undefined {
	return sim
		.listSessions()
		.find((s) => prechatDetails(s).some((d) => d.label === 'Landbot Customer ID' && String(d.value) === String(customerId)));
}

/** Every Messages long poll made with a session's key, oldest first. */
export function pollsOf(sim: SalesforceLiveAgentSimulator, session: { key: string }): LiveAgentApiCall[] {
	return sim
		.getCalls()
		.filter((c) => c.path === '/System/Messages' && c.headers['x-liveagent-session-key'] === session.key);
}

/** The visitor's POSTs of a session (ChasitorInit, ChatMessage, ChatEnd…), oldest first. */
export function postsOf(sim: SalesforceLiveAgentSimulator, session: { key: string }): LiveAgentApiCall[] {
	return sim
		.getCalls()
		.filter((c) => c.method === 'POST' && c.headers['x-liveagent-session-key'] === session.key);
}
